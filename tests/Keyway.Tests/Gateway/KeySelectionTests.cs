using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Which key of a provider's pool each routing mode picks.</summary>
public sealed class KeySelectionTests
{
    [Fact]
    public async Task RoundRobin_SpreadsSequentialRequestsEvenly()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b", "c");

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, await pool.ChatStatusAsync());
        }

        var counts = pool.TakeKeysSeen().CountBy(key => key).ToDictionary();
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["c"] = 2 }, counts);
    }

    [Fact]
    public async Task RoundRobin_ConcurrentRequestsGoToTheKeyWithFewestInFlight()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        var release = new TaskCompletionSource();
        pool.Upstream.ReplyToAll(FakeReply.HoldUntil(release.Task));

        // Each request is started once the previous one is held upstream, so the in-flight counts are known.
        var calls = new List<Task<int>>();
        for (var i = 1; i <= 4; i++)
        {
            calls.Add(pool.ChatStatusAsync());
            await pool.Upstream.WaitForRequestsAsync(i);
        }
        var held = pool.Upstream.Requests.Select(request => request.UpstreamKey).ToArray();
        release.SetResult();

        Assert.All(await Task.WhenAll(calls), status => Assert.Equal(200, status));
        Assert.Equal(2, held.Count(key => key == KeyPoolBed.Secret("a")));
        Assert.Equal(2, held.Count(key => key == KeyPoolBed.Secret("b")));
    }

    [Fact]
    public async Task RoundRobin_PassesOverAKeyThatIsStillBusy()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        var release = new TaskCompletionSource();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.HoldUntil(release.Task), times: 1);
        var slow = pool.ChatStatusAsync("gpt-alias[a]");
        await pool.Upstream.WaitForRequestsAsync(1);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, await pool.ChatStatusAsync());
        }
        release.SetResult();

        Assert.Equal(200, await slow);
        Assert.Equal(["a", "b", "b", "b", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task Priority_UsesTheFirstKeyUntilItCools()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");

        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["a", "a"], pool.TakeKeysSeen());

        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30), times: 1);
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["a", "b", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task OnlyFirst_NeverSwitchesKeys_EvenWhenTheFirstFails()
    {
        await using var pool = await KeyPoolBed.StartAsync("only_first", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "down"));

        // The only key ever called is not cooled by passing failures (no other key could take its requests)…
        Assert.Equal(500, await pool.ChatStatusAsync());
        Assert.Equal(500, await pool.ChatStatusAsync());
        Assert.Equal(500, await pool.ChatStatusAsync());
        Assert.Equal(["a", "a", "a"], pool.TakeKeysSeen());
        // …but by what the upstream says of it, and then the pool's other key still does not take over.
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30), times: 1);
        Assert.Equal(429, await pool.ChatStatusAsync());
        using var cooling = await pool.ChatAsync();

        Assert.Equal(503, (int)cooling.StatusCode);
        Assert.Equal(["a"], pool.TakeKeysSeen());
        Assert.Equal("cooling", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task KeyLimitedToOtherModels_IsNotUsedForThisModel()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        var provider = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}");
        var keyA = provider.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/{keyA}", new { models = new[] { "some-other-model" } });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await pool.ChatStatusAsync());
        }

        Assert.Equal(["b", "b", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task KeyWithItsOwnBaseUrl_IsCalledThere()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        var provider = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}");
        var keyA = provider.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        var reseller = new Uri(pool.Upstream.BaseAddress, "reseller/v1").ToString();
        var updated = await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/{keyA}", new { base_url = reseller });

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(reseller, updated.GetProperty("key").GetProperty("base_url").GetString());
        Assert.Equal("/reseller/v1/chat/completions", pool.Upstream.Last.Path);
    }

    [Theory]
    [InlineData("X-Claude-Code-Session-Id")]
    [InlineData("session-id")]
    [InlineData("session_id")]
    public async Task RoundRobin_RequestsOfOneSession_StayOnOneKey_WhileSessionsSpread(string sessionHeader)
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b", "c");

        var keysBySession = new Dictionary<string, string[]>();
        for (var session = 0; session < 6; session++)
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await pool.Bed.PostAsync("v1/chat/completions", KeyPoolBed.ChatBody, (sessionHeader, $"session-{session}"));
                Assert.Equal(200, (int)response.StatusCode);
            }
            keysBySession[$"session-{session}"] = pool.TakeKeysSeen();
        }

        Assert.All(keysBySession.Values, keys => Assert.Single(keys.Distinct()));
        Assert.True(keysBySession.Values.Select(keys => keys[0]).Distinct().Count() > 1, "every session went to the same key");
    }

    [Fact]
    public async Task RoundRobin_SessionWhoseKeyCools_MovesToAnotherKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        using (var first = await pool.Bed.PostAsync("v1/chat/completions", KeyPoolBed.ChatBody, ("X-Claude-Code-Session-Id", "s")))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }
        var sessionKey = Assert.Single(pool.TakeKeysSeen());
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret(sessionKey), FakeReply.OpenAIRateLimit(retryAfterSeconds: 30), times: 1);

        using var second = await pool.Bed.PostAsync("v1/chat/completions", KeyPoolBed.ChatBody, ("X-Claude-Code-Session-Id", "s"));

        Assert.Equal(200, (int)second.StatusCode);
        var otherKey = sessionKey == "a" ? "b" : "a";
        Assert.Equal([sessionKey, otherKey], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task APoolWhoseKeysServeOtherModelsOnly_SaysNoKeyServesTheRequest_WithoutRetryAfter()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["models"] = new JsonArray("other-model") }),
        });

        using var response = await pool.ChatAsync();

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.StartsWith(
            "no upstream key for model 'gpt-alias' serves this request",
            (await KeyPoolBed.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(pool.TakeKeysSeen());
    }
}
