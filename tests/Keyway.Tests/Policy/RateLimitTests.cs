using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Policy;

/// <summary>rpm, tpm and max_concurrency of an issued key: 429 with Retry-After and x-ratelimit-* headers, on a fake clock.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Rpm_ThirdRequestInTheMinuteIs429_UntilTheWindowEnds()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["rpm"] = 2 });

        using (var first = await KeyPolicyBed.ChatAsync(key.Client))
        {
            Assert.Equal(200, (int)first.StatusCode);
            Assert.Equal("2", KeyPolicyBed.Header(first, "x-ratelimit-limit-requests"));
            Assert.Equal("1", KeyPolicyBed.Header(first, "x-ratelimit-remaining-requests"));
            Assert.Equal("60s", KeyPolicyBed.Header(first, "x-ratelimit-reset-requests"));
        }
        bed.Clock.Advance(TimeSpan.FromSeconds(10));
        using (var second = await KeyPolicyBed.ChatAsync(key.Client))
        {
            Assert.Equal(200, (int)second.StatusCode);
            Assert.Equal("0", KeyPolicyBed.Header(second, "x-ratelimit-remaining-requests"));
            Assert.Equal("50s", KeyPolicyBed.Header(second, "x-ratelimit-reset-requests"));
        }
        using (var third = await KeyPolicyBed.ChatAsync(key.Client))
        {
            Assert.Equal("50", KeyPolicyBed.Header(third, "Retry-After"));
            Assert.Equal("0", KeyPolicyBed.Header(third, "x-ratelimit-remaining-requests"));
            await GatewayErrorAssert.OpenAIAsync(third, 429,
                "Rate limit reached for requests: this API key may send 2 requests per minute. Please try again in 50s.");
        }
        Assert.Equal(2, bed.Upstream.RequestCount);

        bed.Clock.Advance(TimeSpan.FromSeconds(50));
        using var fourth = await KeyPolicyBed.ChatAsync(key.Client);
        Assert.Equal(200, (int)fourth.StatusCode);
        Assert.Equal("1", KeyPolicyBed.Header(fourth, "x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task Tpm_CountsRealUsage_AndRefusesOnceTheMinuteIsSpent()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["tpm"] = 30 });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await bed.WaitForRequestsAsync(1);
        bed.Clock.Advance(TimeSpan.FromSeconds(20));
        using (var second = await KeyPolicyBed.ChatAsync(key.Client, stream: true))
        {
            Assert.Equal(200, (int)second.StatusCode);
            Assert.Equal("30", KeyPolicyBed.Header(second, "x-ratelimit-limit-tokens"));
            Assert.Equal($"{30 - FakeUpstream.TotalTokens}", KeyPolicyBed.Header(second, "x-ratelimit-remaining-tokens"));
            await second.Content.ReadAsStringAsync();
        }
        await bed.WaitForRequestsAsync(2);

        using var third = await KeyPolicyBed.ChatAsync(key.Client);
        Assert.Equal("40", KeyPolicyBed.Header(third, "Retry-After"));
        Assert.Equal("0", KeyPolicyBed.Header(third, "x-ratelimit-remaining-tokens"));
        Assert.Equal("40s", KeyPolicyBed.Header(third, "x-ratelimit-reset-tokens"));
        await GatewayErrorAssert.OpenAIAsync(third, 429,
            "Rate limit reached for tokens: this API key may use 30 tokens per minute. Please try again in 40s.");

        bed.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
    }

    [Fact]
    public async Task MaxConcurrency_HeldOpenStreamsTakeThePlaces_AndFreeThemWhenTheyEnd()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["max_concurrency"] = 2 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(FakeOpenAIChat.OpeningChunks + 1), times: 2);

        var first = await KeyPolicyBed.ChatAsync(key.Client, stream: true);
        var second = await KeyPolicyBed.ChatAsync(key.Client, stream: true);
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);
        using (var third = await KeyPolicyBed.ChatAsync(key.Client, stream: true))
        {
            Assert.Equal("1", KeyPolicyBed.Header(third, "Retry-After"));
            await GatewayErrorAssert.OpenAIAsync(third, 429,
                "Too many concurrent requests: this API key may have 2 requests in flight. Please try again when one has finished.");
        }
        var otherKey = await bed.CreateKeyAsync(new JsonObject { ["max_concurrency"] = 1 }, "other key");
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(otherKey.Client));

        first.Dispose();
        second.Dispose();
        await bed.WaitForRequestsAsync(4);
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, stream: true));
    }
}
