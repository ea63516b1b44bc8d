using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A Responses WebSocket (alias in the query) refused before the upgrade because no key of the pool can take it gets the
/// answer an HTTP request to the same alias gets, Retry-After included, on a fake clock: 429 and a second while every key
/// is at its max_concurrency, 503 and the earliest recovery while the keys cool down or are quarantined.
/// </summary>
public sealed class ResponsesWebSocketRefusalTests
{
    private const string Alias = "ws-alias";
    private const string Provider = "ws-provider";
    private const string UpstreamModel = "ws-upstream-model";
    private const string ResponsesBody = $$"""{"model":"{{Alias}}","input":"hi"}""";

    [Fact]
    public async Task APoolAtItsCaps_RefusesTheUpgrade_With429AndRetryAfterOneSecond_AsHttpDoes()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        using var open = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, Alias, bed.Key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(["1"], refused.Headers.GetValueOrDefault("Retry-After"));
        await AssertHttpAnswersAlikeAsync(bed, refused);
    }

    [Theory]
    [InlineData(FailureClass.RateLimit, 45, 1, "45")]
    [InlineData(FailureClass.Credential, null, 2, "30")]
    public async Task APoolWithNoUsableKey_RefusesTheUpgrade_With503AndTheRetryAfterHttpSends(
        FailureClass failure, int? upstreamRetryAfter, int times, string expectedRetryAfter)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var routing = bed.Server.Services.GetRequiredService<Keyway.Gateway.RoutingTableHolder>().Current;
        Assert.True(routing.TryGetProvider(Provider, out var provider));
        var cooldowns = bed.Server.Services.GetRequiredService<CooldownBook>();
        var retryAfter = upstreamRetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        for (var i = 0; i < times; i++)
        {
            cooldowns.RecordFailure(provider, provider.Keys[0], UpstreamModel, new UpstreamFailure(failure, 429, retryAfter, false, "refused"));
        }

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, Alias, bed.Key);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal([expectedRetryAfter], refused.Headers.GetValueOrDefault("Retry-After"));
        await AssertHttpAnswersAlikeAsync(bed, refused);
    }

    /// <summary>A WebSocket route whose provider has one key with one place, on a clock that only moves when told.</summary>
    private static async Task<GatewayTestBed> StartAsync(FakeResponsesWebSocket fake)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<TimeProvider>(clock));
        await WebSocketRoute.AddAsync(bed.Admin, Provider, fake.BaseAddress, websocket: true, Alias, UpstreamModel);
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{Provider}", new JsonObject
        {
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = "sk-a", ["max_concurrency"] = 1 }),
        });
        return bed;
    }

    /// <summary>The HTTP twin gets the same answer, and both refusals the same log row (status, error, key, alias, provider).</summary>
    private static async Task AssertHttpAnswersAlikeAsync(GatewayTestBed bed, (HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>> Headers) refused)
    {
        using var http = await bed.PostAsync("v1/responses", ResponsesBody);
        Assert.Equal(http.StatusCode, refused.Status);
        Assert.Equal(http.Headers.GetValues("Retry-After"), refused.Headers.GetValueOrDefault("Retry-After"));
        var rows = await bed.WaitForLogsAsync(2);
        Assert.Equal(2, rows.Length);
        foreach (var field in (string[])["status_code", "error", "api_key_id", "route_alias", "provider_id"])
        {
            Assert.Equal(rows[0].GetProperty(field).ToString(), rows[1].GetProperty(field).ToString());
        }
    }
}
