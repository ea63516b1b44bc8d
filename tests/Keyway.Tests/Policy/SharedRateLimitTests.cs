using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.ScaleOut;

namespace Keyway.Tests.Policy;

/// <summary>
/// Two Keyway instances on one database (PostgreSQL in the PostgreSQL run) share a key's rpm window and its requests in
/// flight through the once-a-second exchange: the sum over both stays within the limit plus what the other instance
/// admitted since the last exchange (the overshoot the README documents).
/// </summary>
public sealed class SharedRateLimitTests
{
    [Fact]
    public async Task TwoInstances_ShareRpm_OvershootIsWhatTheOtherAdmittedSinceTheLastExchange()
    {
        await using var bed = await TwoInstanceKeyBed.StartAsync(new JsonObject { ["rpm"] = 4 });

        Assert.Equal(["3", "2"], [await RemainingAsync(bed.OnFirst), await RemainingAsync(bed.OnFirst)]);
        await bed.ExchangeAsync();
        Assert.Equal(["1", "0"], [await RemainingAsync(bed.OnSecond), await RemainingAsync(bed.OnSecond)]);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
        // The first instance has not seen the second one's two requests yet: it admits two more, the overshoot.
        Assert.Equal(["1", "0"], [await RemainingAsync(bed.OnFirst), await RemainingAsync(bed.OnFirst)]);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        Assert.Equal(4 + 2, bed.Upstream.RequestCount);

        await bed.ExchangeAsync();

        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
        Assert.Equal(4 + 2, bed.Upstream.RequestCount);
        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
    }

    [Fact]
    public async Task SecondInstance_JoinsTheWindowTheFirstOneStarted()
    {
        await using var bed = await TwoInstanceKeyBed.StartAsync(new JsonObject { ["rpm"] = 3 });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        await bed.ExchangeAsync();
        bed.Clock.Advance(TimeSpan.FromSeconds(20));

        using (var joined = await KeyPolicyBed.ChatAsync(bed.OnSecond))
        {
            Assert.Equal("1", KeyPolicyBed.Header(joined, "x-ratelimit-remaining-requests"));
            Assert.Equal("40s", KeyPolicyBed.Header(joined, "x-ratelimit-reset-requests"));
        }
        bed.Clock.Advance(TimeSpan.FromSeconds(40));
        using var next = await KeyPolicyBed.ChatAsync(bed.OnSecond);
        Assert.Equal("2", KeyPolicyBed.Header(next, "x-ratelimit-remaining-requests"));
        Assert.Equal("60s", KeyPolicyBed.Header(next, "x-ratelimit-reset-requests"));
    }

    [Fact]
    public async Task TwoInstances_ShareMaxConcurrency_AfterAnExchange()
    {
        await using var bed = await TwoInstanceKeyBed.StartAsync(new JsonObject { ["max_concurrency"] = 1 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(FakeOpenAIChat.OpeningChunks + 1));

        var held = await KeyPolicyBed.ChatAsync(bed.OnFirst, stream: true);
        Assert.Equal(200, (int)held.StatusCode);
        await bed.ExchangeAsync();
        using (var refused = await KeyPolicyBed.ChatAsync(bed.OnSecond))
        {
            Assert.Equal("1", KeyPolicyBed.Header(refused, "Retry-After"));
            await GatewayErrorAssert.OpenAIAsync(refused, 429,
                "Too many concurrent requests: this API key may have 1 requests in flight. Please try again when one has finished.");
        }

        held.Dispose();
        await TwoInstances.EventuallyAsync(async () =>
        {
            await bed.ExchangeAsync();
            return await KeyPolicyBed.ChatStatusAsync(bed.OnSecond) == 200;
        }, TimeSpan.FromSeconds(20), "the second instance admitting the key once the first one's stream ended");
    }

    private static async Task<string> RemainingAsync(HttpClient client)
    {
        using var response = await KeyPolicyBed.ChatAsync(client);
        Assert.Equal(200, (int)response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
        return KeyPolicyBed.Header(response, "x-ratelimit-remaining-requests");
    }
}
