using System.Text.Json.Nodes;
using Keyway.Telemetry;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// Two Keyway instances on one database (PostgreSQL in the PostgreSQL run) share a key's daily budget. Their clocks are
/// fake and never advanced, so the once-a-second exchange runs exactly when the test calls it: what the other instance
/// finished since the last exchange is the documented overshoot.
/// </summary>
public sealed class SharedBudgetTests
{
    [Fact]
    public async Task TwoInstances_ShareADailyBudget_WithinOneExchangeOfOvershoot()
    {
        using var dataDir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        void UseClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);
        await using var first = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        await AdminApi.CreateProviderAsync(first.Admin, "default", "fake", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(first.Admin, "default", GatewayTestBed.OpenAIAlias, "fake", GatewayTestBed.OpenAIModel);
        var created = await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "shared", ["daily_token_budget"] = 30 });
        var plaintext = created.GetProperty("plaintext").GetString()!;
        var keyId = created.GetProperty("key").GetProperty("key_id").GetString()!;
        await using var second = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        using var onFirst = first.ClientWithKey(plaintext);
        using var onSecond = second.ClientWithKey(plaintext);

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(onFirst));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(onFirst, stream: true));
        await WaitForUsageAsync(first, keyId, requests: 2);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(onFirst));
        // Before the next exchange the second instance has not seen the first one's tokens: the overshoot.
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(onSecond));
        await WaitForUsageAsync(second, keyId, requests: 1);

        await Counters(first).SyncAsync(CancellationToken.None);
        await Counters(second).SyncAsync(CancellationToken.None);

        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(onSecond));
        Assert.Equal(3, upstream.RequestCount);
        var usage = await AdminApi.OkAsync(second.Admin, HttpMethod.Get, $"admin/llm/keys/{keyId}/usage");
        Assert.Equal(3 * FakeUpstream.TotalTokens, usage.GetProperty("today").GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("today").GetProperty("remaining_tokens").GetInt64());
    }

    private static KeyUsageCounters Counters(KeywayServer server) => server.Services.GetRequiredService<KeyUsageCounters>();

    /// <summary>Waits until the instance has counted the tokens of <paramref name="requests"/> finished requests of the key (counting ends each request).</summary>
    private static async Task WaitForUsageAsync(KeywayServer server, string keyId, int requests)
    {
        var day = DateOnly.FromDateTime(KeyPolicyBed.Start.UtcDateTime);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Counters(server).DayTokens(keyId, day) < requests * FakeUpstream.TotalTokens)
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
