using System.Text.Json.Nodes;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Policy;

/// <summary>
/// Two Keyway instances on one database (PostgreSQL in the PostgreSQL run) share a key's daily budget: what the other
/// instance finished since the last exchange is the documented overshoot.
/// </summary>
public sealed class SharedBudgetTests
{
    [Fact]
    public async Task TwoInstances_ShareADailyBudget_WithinOneExchangeOfOvershoot()
    {
        await using var bed = await TwoInstanceKeyBed.StartAsync(new JsonObject { ["daily_token_budget"] = 30 });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst, stream: true));
        await WaitForUsageAsync(bed.First, bed.KeyId, requests: 2);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        // Before the next exchange the second instance has not seen the first one's tokens: the overshoot.
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
        await WaitForUsageAsync(bed.Second, bed.KeyId, requests: 1);

        await bed.ExchangeAsync();

        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
        Assert.Equal(3, bed.Upstream.RequestCount);
        var usage = await AdminApi.OkAsync(bed.Second.Admin, HttpMethod.Get, $"admin/llm/keys/{bed.KeyId}/usage");
        Assert.Equal(3 * FakeUpstream.TotalTokens, usage.GetProperty("today").GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("today").GetProperty("remaining_tokens").GetInt64());
    }

    /// <summary>Waits until the instance has counted the tokens of <paramref name="requests"/> finished requests of the key (counting ends each request).</summary>
    private static async Task WaitForUsageAsync(KeywayServer server, string keyId, int requests)
    {
        var day = DateOnly.FromDateTime(KeyPolicyBed.Start.UtcDateTime);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (server.Services.GetRequiredService<KeyUsageCounters>().DayTokens(keyId, day) < requests * FakeUpstream.TotalTokens)
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
