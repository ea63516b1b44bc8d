using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>Cooldown start, expiry, quarantine, probes, admin reset and persistence, on a fake clock (no sleeps).</summary>
public sealed class CooldownTests
{
    [Fact]
    public async Task Cooldown_EndsWhenItsTimeHasPassed()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30), times: 1);

        Assert.Equal(200, await pool.ChatStatusAsync());
        pool.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(200, await pool.ChatStatusAsync());
        pool.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b", "b", "a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task ServerErrors_CoolTheKeyAtTheThreshold_ForTheProvidersCooldown()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new() { ["key_cooldown_seconds"] = 10 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "boom"), times: 2);

        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());
        pool.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b", "a", "b", "b", "a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task TheOneKeyOfAPool_IsNotCooledByPassingServerErrors_SoTheNextRequestIsServed()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(502, "bad gateway"), times: 3);

        Assert.Equal(502, await pool.ChatStatusAsync());
        Assert.Equal(502, await pool.ChatStatusAsync());
        Assert.Equal(502, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "a", "a", "a"], pool.TakeKeysSeen());
        Assert.Equal("ok", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task RefusedCredential_CoolsAtOnce_ThenIsQuarantinedOnTheSecondRefusal()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));

        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal("cooling", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
        pool.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(200, await pool.ChatStatusAsync());
        pool.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(200, await pool.ChatStatusAsync());

        // Read before TakeKeysSeen resets the fake upstream: the hour just passed also started a quarantine probe in the
        // background, which the scripted 401 keeps failing; once the script is gone it would free the key.
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("quarantined", health.GetProperty("state").GetString());
        Assert.Contains("refused the credential 2 times", health.GetProperty("quarantine_reason").GetString());
        Assert.Equal(["a", "b", "a", "b", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task QuarantinedKey_IsFreedByASuccessfulProbe()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new() { ["key_cooldown_seconds"] = 10 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(403, "forbidden"), times: 2);
        Assert.Equal(200, await pool.ChatStatusAsync());
        // Less than the 30 s probe tick, so only the explicit probe below can free the key.
        pool.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal("quarantined", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
        pool.Upstream.Reset();

        await pool.Bed.Server.Services.GetRequiredService<QuarantineProber>().ProbeQuarantinedAsync(CancellationToken.None);

        Assert.Equal(KeyPoolBed.Secret("a"), Assert.Single(pool.Upstream.Requests).UpstreamKey);
        Assert.Equal("ok", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
        pool.Upstream.Reset();
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task AdminReset_ClearsCooldownAndQuarantine()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(600), times: 1);
        Assert.Equal(200, await pool.ChatStatusAsync());

        var reset = await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, $"admin/llm/health/{GatewayTestBed.OpenAIProvider}/reset");
        pool.Upstream.Reset();
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal("ok", reset.GetProperty("health").GetProperty("keys")[0].GetProperty("state").GetString());
        Assert.Equal(["a"], pool.TakeKeysSeen());
        var missing = await AdminApi.PostAsync(pool.Admin, "admin/llm/health/nope/reset", new { });
        AdminApi.AssertError(missing, System.Net.HttpStatusCode.NotFound, "provider not found: nope");
    }

    [Fact]
    public async Task RotatedSecret_StartsTheKeyHealthy_WhileOtherEditsKeepItsHealth()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));
        Assert.Equal(200, await pool.ChatStatusAsync());
        var keyPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/{(await pool.KeyHealthAsync("a")).GetProperty("key_id").GetString()}";

        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, keyPath, new { api_key = KeyPoolBed.Secret("a"), models = new[] { "gpt-4o" } });
        Assert.Equal("cooling", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());

        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, keyPath, new { api_key = "sk-a-rotated", models = Array.Empty<string>() });
        Assert.Equal("ok", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
        pool.TakeKeysSeen();
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["a-rotated"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task CooldownAndQuarantine_SurviveARestart()
    {
        using var dir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void UseClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);
        string issuedKey;
        await using (var first = await KeywayServer.StartAsync(dir.Path, replaceServices: UseClock))
        {
            await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new
            {
                provider_id = "p",
                name = "p",
                base_url = new Uri(upstream.BaseAddress, "v1").ToString(),
                routing_mode = "priority",
                key_cooldown_seconds = 10,
                api_keys = new[] { new { name = "a", api_key = "sk-a" }, new { name = "b", api_key = "sk-b" }, new { name = "c", api_key = "sk-c" } },
            });
            await AdminApi.CreateRouteAsync(first.Admin, "default", "m", "p", "upstream-m");
            issuedKey = await AdminApi.CreateKeyAsync(first.Admin, "default");
            upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));
            upstream.ReplyForKey("sk-b", FakeReply.PlainText(401, "revoked"));
            using var client = first.ClientWithKey(issuedKey);
            await ChatAsync(client);
            clock.Advance(TimeSpan.FromSeconds(10));
            await ChatAsync(client);
        }
        upstream.Reset();

        await using var second = await KeywayServer.StartAsync(dir.Path, replaceServices: UseClock);
        using var again = second.ClientWithKey(issuedKey);
        await ChatAsync(again);

        Assert.Equal("sk-c", Assert.Single(upstream.Requests).UpstreamKey);
        var health = await AdminApi.OkAsync(second.Admin, HttpMethod.Get, "admin/llm/health?group_id=default");
        var keys = health.GetProperty("health")[0].GetProperty("keys");
        Assert.Equal("cooling", keys[0].GetProperty("state").GetString());
        Assert.Equal("quarantined", keys[1].GetProperty("state").GetString());
        Assert.Equal(401, keys[1].GetProperty("last_status").GetInt32());
    }

    /// <summary>
    /// While every key of a pool cools, each refused request is a 503, but the server log warns once per cooldown (per
    /// provider), not once per request: the next cooldown warns again.
    /// </summary>
    [Fact]
    public async Task ACoolingPool_WarnsOncePerCooldown_NotOncePerRefusedRequest()
    {
        var log = new CapturedLog();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<ILoggerProvider>(log);
        });
        var cooldowns = bed.Server.Services.GetRequiredService<CooldownBook>();
        Assert.True(bed.Server.Services.GetRequiredService<Keyway.Gateway.RoutingTableHolder>().Current.TryGetProvider(GatewayTestBed.OpenAIProvider, out var provider));
        void CoolForAMinute() => cooldowns.RecordFailure(
            provider, provider.Keys[0], GatewayTestBed.OpenAIModel, new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(60), false, "slow down"));
        async Task RefusedAsync(int times)
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);
                Assert.Equal(503, (int)response.StatusCode);
            }
        }
        int CoolingWarnings() => log.Text.Split('\n').Count(line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("is cooling down", StringComparison.Ordinal));

        CoolForAMinute();
        await RefusedAsync(5);
        Assert.Equal(1, CoolingWarnings());

        clock.Advance(TimeSpan.FromSeconds(61));
        CoolForAMinute();
        await RefusedAsync(3);
        Assert.Equal(2, CoolingWarnings());
    }

    private static async Task ChatAsync(HttpClient client)
    {
        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(200, (int)response.StatusCode);
    }
}
