using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Operations;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A pool key's max_concurrency and the provider's key_wait_seconds through the gateway, on a fake clock: a key whose
/// places are all taken is passed over, a pool at its caps answers 429, and a request may wait for a place or the end of
/// a cooldown instead, waiters being served in the order they came. A request's message tags it at the upstream.
/// </summary>
public sealed class KeyWaitTests
{
    private static JsonObject Key(string name, int? maxConcurrency = null) => new()
    {
        ["name"] = name,
        ["api_key"] = KeyPoolBed.Secret(name),
        ["max_concurrency"] = maxConcurrency,
    };

    private const string OtherAlias = "other-alias";
    private const string OtherModel = "other-model";

    /// <summary>A key with one place that serves <paramref name="model"/> only.</summary>
    private static JsonObject ModelKey(string name, string model)
    {
        var key = Key(name, 1);
        key["models"] = new JsonArray(model);
        return key;
    }

    private static async Task<KeyPoolBed> StartAsync(string routingMode, int keyWaitSeconds, params JsonObject[] keys)
    {
        var pool = await KeyPoolBed.StartAsync(routingMode, "a");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["key_wait_seconds"] = keyWaitSeconds,
            ["api_keys"] = new JsonArray(keys),
        });
        return pool;
    }

    /// <summary>A pool of one key with one place, taken by a request the upstream holds until <c>release</c> completes.</summary>
    private static async Task<(KeyPoolBed Pool, TaskCompletionSource Release, Task<int> First)> StartWithTheOnlyPlaceTakenAsync(int keyWaitSeconds)
    {
        var pool = await StartAsync("priority", keyWaitSeconds, Key("a", 1));
        var release = new TaskCompletionSource();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.HoldUntil(release.Task), times: 1);
        var first = pool.ChatStatusAsync();
        await pool.Upstream.WaitForRequestsAsync(1);
        return (pool, release, first);
    }

    private static ProviderCircuit Circuit(KeyPoolBed pool) =>
        pool.Bed.Server.Services.GetRequiredService<CooldownBook>().CircuitOf(GatewayTestBed.OpenAIProvider);

    private static async Task<string?> ErrorMessageAsync(HttpResponseMessage response) =>
        (await KeyPoolBed.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString();

    [Fact]
    public async Task APoolWithEveryPlaceTaken_Answers429WithRetryAfter_WithoutCallingTheUpstream()
    {
        await using var pool = await StartAsync("round_robin", keyWaitSeconds: 0, Key("a", 1), Key("b", 1));
        var release = new TaskCompletionSource();
        pool.Upstream.ReplyToAll(FakeReply.HoldUntil(release.Task));
        var first = pool.ChatStatusAsync();
        var second = pool.ChatStatusAsync();
        await pool.Upstream.WaitForRequestsAsync(2);

        using var third = await pool.ChatAsync();

        Assert.Equal(429, (int)third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), third.Headers.RetryAfter?.Delta);
        Assert.Equal(
            "every upstream key for model 'gpt-alias' has all its max_concurrency requests in flight; retry after the Retry-After delay",
            await ErrorMessageAsync(third));
        release.SetResult();
        var statuses = await Task.WhenAll(first, second);
        Assert.Equal([200, 200], statuses);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen().Order());
    }

    /// <summary>
    /// While every key of a pool is at its max_concurrency each request is a 429, but the server log warns at the first
    /// and then at most once a minute, counting the 429s since its last warning: not once per refused request.
    /// </summary>
    [Fact]
    public async Task APoolAtItsCaps_WarnsOnceAMinuteWithTheCount_NotOncePerRefusedRequest()
    {
        var log = new CapturedLog();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<ILoggerProvider>(log);
        });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject { ["api_keys"] = new JsonArray(Key("a", 1)) });
        var release = new TaskCompletionSource();
        bed.Upstream.Enqueue(FakeReply.HoldUntil(release.Task));
        var holder = bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);
        await bed.Upstream.WaitForRequestsAsync(1);
        async Task RefusedAsync(int times)
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);
                Assert.Equal(429, (int)response.StatusCode);
            }
        }
        string[] BusyWarnings() => log.Text.Split('\n').Where(line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("max_concurrency", StringComparison.Ordinal)).ToArray();

        await RefusedAsync(5);
        Assert.Single(BusyWarnings());
        clock.Advance(TimeSpan.FromSeconds(61));
        await RefusedAsync(3);

        var warnings = BusyWarnings();
        Assert.Equal(2, warnings.Length);
        Assert.Contains("1 request(s) for model 'gpt-alias' answered 429", warnings[0], StringComparison.Ordinal);
        Assert.Contains("5 request(s) for model 'gpt-alias' answered 429", warnings[1], StringComparison.Ordinal);
        release.SetResult();
        using var held = await holder;
        Assert.Equal(200, (int)held.StatusCode);
    }

    [Fact]
    public async Task AStreamHoldsItsKeysPlace_UntilItEnds()
    {
        await using var pool = await StartAsync("priority", keyWaitSeconds: 0, Key("a", 1));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.StreamThenHang(3), times: 1);
        using var leaving = new CancellationTokenSource();
        var stream = await SendAsync(pool, stream: true, leaving.Token);
        Assert.Equal(200, (int)stream.StatusCode);

        Assert.Equal(429, await pool.ChatStatusAsync());

        leaving.Cancel();
        stream.Dispose();
        await RequestLogOutageTests.WaitUntilAsync(() => InFlight(pool, "a") == 0);
        Assert.Equal(200, await pool.ChatStatusAsync());
    }

    [Fact]
    public async Task WithAKeyWait_ARequestTakesThePlaceGivenBack()
    {
        var (pool, release, first) = await StartWithTheOnlyPlaceTakenAsync(keyWaitSeconds: 30);
        await using var _ = pool;

        var second = pool.ChatStatusAsync();
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        var scrape = await PrometheusScrape.GetAsync(pool.Admin);
        release.SetResult();

        // The clock never moved: only the first request giving its place back can have woken the second.
        var statuses = await Task.WhenAll(first, second);
        Assert.Equal([200, 200], statuses);
        Assert.Equal(1, scrape["""keyway_key_waits{provider="fake-openai"}"""]);
        Assert.Equal(["a", "a"], pool.TakeKeysSeen());
        Assert.Equal(0, Circuit(pool).Waiting);
    }

    [Fact]
    public async Task WithAKeyWait_ARequestWaitsForTheCooldownToEnd_InsteadOfFailing()
    {
        await using var pool = await StartAsync("priority", keyWaitSeconds: 30, Key("a"));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(5), times: 1);

        var call = pool.ChatStatusAsync();
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        pool.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(200, await call);
        Assert.Equal(["a", "a"], pool.TakeKeysSeen());
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal([429, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task AKeyWaitLongerThanTheCooldown_IsNotWaited_WhenNoKeyRecoversInTime()
    {
        await using var pool = await StartAsync("priority", keyWaitSeconds: 3, Key("a"));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(60), times: 1);

        using var response = await pool.ChatAsync();

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(0, Circuit(pool).Waiting);
        Assert.Equal(["a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task TheWaitEnds_AfterKeyWaitSeconds_WithTheAnswerOfAPoolAtItsCaps()
    {
        var (pool, release, first) = await StartWithTheOnlyPlaceTakenAsync(keyWaitSeconds: 3);
        await using var _ = pool;

        var second = pool.ChatAsync();
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        pool.Clock.Advance(TimeSpan.FromSeconds(3));
        using var refused = await second;

        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        release.SetResult();
        Assert.Equal(200, await first);
        Assert.Equal(["a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task AClientThatLeavesWhileWaiting_IsLogged499_AndLeavesNoWaiterBehind()
    {
        var (pool, release, first) = await StartWithTheOnlyPlaceTakenAsync(keyWaitSeconds: 30);
        await using var _ = pool;
        using var leaving = new CancellationTokenSource();

        var second = SendAsync(pool, stream: false, leaving.Token);
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(499, row.GetProperty("status_code").GetInt32());
        Assert.Equal("client closed the request while it waited for an upstream key", row.GetProperty("error").GetString());
        Assert.Equal(0, Circuit(pool).Waiting);
        release.SetResult();
        Assert.Equal(200, await first);
    }

    [Fact]
    public async Task Waiters_AreServedInTheOrderTheyCame_AsPlacesAreGivenBack()
    {
        var (pool, release, first) = await StartWithTheOnlyPlaceTakenAsync(keyWaitSeconds: 30);
        await using var _ = pool;

        var waiters = new List<Task<int>>();
        foreach (var tag in new[] { "A", "B", "C" })
        {
            waiters.Add(TaggedChatStatusAsync(pool, tag));
            await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == waiters.Count);
        }
        release.SetResult();

        var statuses = await Task.WhenAll([first, .. waiters]);
        Assert.Equal([200, 200, 200, 200], statuses);
        Assert.Equal(["hi", "A", "B", "C"], TagsServed(pool));
        Assert.Equal(0, Circuit(pool).Waiting);
    }

    [Fact]
    public async Task ARequestThatNeverWaited_DoesNotTakeThePlaceItGivesBack_FromAWaiter()
    {
        await using var pool = await StartAsync("priority", keyWaitSeconds: 30, Key("a", 1), Key("b", 1));
        var failA = new TaskCompletionSource();
        var releaseB = new TaskCompletionSource();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(500, "overloaded", "server_error") with { Release = failA.Task }, times: 1);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("b"), FakeReply.HoldUntil(releaseB.Task), times: 1);
        var early = TaggedChatStatusAsync(pool, "early");
        await pool.Upstream.WaitForRequestsAsync(1);
        var onB = TaggedChatStatusAsync(pool, "on-b");
        await pool.Upstream.WaitForRequestsAsync(2);
        var waiter = TaggedChatStatusAsync(pool, "waiter");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);

        // "early" gives key a back after its 500 and, key b being busy, needs a place again: the waiter's comes first.
        failA.SetResult();
        Assert.Equal(200, await waiter);
        Assert.Equal(200, await early);
        releaseB.SetResult();
        Assert.Equal(200, await onB);
        Assert.Equal(["early", "on-b", "waiter", "early"], TagsServed(pool));
    }

    [Fact]
    public async Task AWaiterThatLeaves_PassesItsTurnToTheNext()
    {
        var (pool, release, first) = await StartWithTheOnlyPlaceTakenAsync(keyWaitSeconds: 30);
        await using var _ = pool;
        using var leaving = new CancellationTokenSource();

        var a = TaggedChatStatusAsync(pool, "A");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        var b = SendAsync(pool, stream: false, leaving.Token, "B");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 2);
        var c = TaggedChatStatusAsync(pool, "C");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 3);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 2);
        release.SetResult();

        var statuses = await Task.WhenAll(first, a, c);
        Assert.Equal([200, 200, 200], statuses);
        Assert.Equal(["hi", "A", "C"], TagsServed(pool));
        Assert.Equal(0, Circuit(pool).Waiting);
    }

    [Fact]
    public async Task APlaceOnAKeyTheLongestWaiterCannotUse_GoesToTheNextWaiterThatCan()
    {
        await using var pool = await StartAsync(
            "priority", keyWaitSeconds: 30, ModelKey("a", GatewayTestBed.OpenAIModel), ModelKey("other", OtherModel));
        await AdminApi.CreateRouteAsync(pool.Admin, "default", OtherAlias, GatewayTestBed.OpenAIProvider, OtherModel);
        var releaseA = new TaskCompletionSource();
        var releaseOther = new TaskCompletionSource();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.HoldUntil(releaseA.Task), times: 1);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("other"), FakeReply.HoldUntil(releaseOther.Task), times: 1);
        var onA = pool.ChatStatusAsync();
        var onOther = pool.ChatStatusAsync(OtherAlias);
        await pool.Upstream.WaitForRequestsAsync(2);
        var waitingForOther = TaggedChatStatusAsync(pool, "wants-other", OtherAlias);
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 1);
        var firstForA = TaggedChatStatusAsync(pool, "first-for-a");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 2);
        var secondForA = TaggedChatStatusAsync(pool, "second-for-a");
        await RequestLogOutageTests.WaitUntilAsync(() => Circuit(pool).Waiting == 3);

        releaseA.SetResult();

        var servedOnA = await Task.WhenAll(onA, firstForA, secondForA);
        Assert.Equal([200, 200, 200], servedOnA);
        Assert.Equal(1, Circuit(pool).Waiting);
        releaseOther.SetResult();
        var servedOnOther = await Task.WhenAll(onOther, waitingForOther);
        Assert.Equal([200, 200], servedOnOther);
        Assert.Equal(["hi", "hi", "first-for-a", "second-for-a", "wants-other"], TagsServed(pool));
    }

    [Fact]
    public async Task AResponsesWebSocketHoldsItsKeysPlace_WhileItIsOpen()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await GatewayTestBed.StartAsync();
        await WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket: true, "ws-alias", "ws-upstream-model");
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/providers/ws-provider", new JsonObject { ["api_keys"] = new JsonArray(Key("a", 1)) });
        using var open = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "ws-alias", bed.Key);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ResponsesWebSocketClient.ConnectAsync(bed.Server, "ws-alias", bed.Key));
        Assert.Contains("429", refused.Message, StringComparison.Ordinal);

        await open.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await RequestLogOutageTests.WaitUntilAsync(() => InFlight(bed, "ws-provider", "a") == 0);
        using var reopened = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "ws-alias", bed.Key);
        Assert.Equal(WebSocketState.Open, reopened.State);
    }

    private static Task<HttpResponseMessage> SendAsync(
        KeyPoolBed pool, bool stream, CancellationToken cancellationToken, string tag = "hi", string model = GatewayTestBed.OpenAIAlias)
    {
        var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{tag}}"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayTestBed.Json(body) };
        return pool.Bed.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Sends a chat whose message is <paramref name="tag"/>, so the upstream tells the requests apart, and returns its status.</summary>
    private static async Task<int> TaggedChatStatusAsync(KeyPoolBed pool, string tag, string model = GatewayTestBed.OpenAIAlias)
    {
        using var response = await SendAsync(pool, stream: false, CancellationToken.None, tag, model);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    /// <summary>The message of each request the upstream saw, in the order it saw them.</summary>
    private static string[] TagsServed(KeyPoolBed pool) =>
        [.. pool.Upstream.Requests.Select(request => JsonNode.Parse(request.Body)!["messages"]![0]!["content"]!.GetValue<string>())];

    private static int InFlight(KeyPoolBed pool, string keyName) => InFlight(pool.Bed, GatewayTestBed.OpenAIProvider, keyName);

    private static int InFlight(GatewayTestBed bed, string providerId, string keyName)
    {
        var routing = bed.Server.Services.GetRequiredService<Keyway.Gateway.RoutingTableHolder>().Current;
        Assert.True(routing.TryGetProvider(providerId, out var provider));
        var key = provider.Keys.Single(key => key.Name == keyName);
        return bed.Server.Services.GetRequiredService<CooldownBook>().For(key, provider).InFlight;
    }
}
