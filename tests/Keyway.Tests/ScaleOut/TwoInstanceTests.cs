using System.Net;
using Keyway.Gateway;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

public sealed class TwoInstanceTests
{
    /// <summary>
    /// What one instance changes, the others act on within a second: the configuration's poll (behind its
    /// notifications) and the merge of the key states both run at least twice a second.
    /// </summary>
    [Fact]
    public void TheSyncIntervals_KeepTheOneSecondPromise()
    {
        Assert.True(Keyway.Storage.ConfigurationVersionWatcher.PollInterval <= TimeSpan.FromMilliseconds(500));
        Assert.True(Keyway.Upstreams.KeyHealthSync.Interval <= TimeSpan.FromMilliseconds(500));
    }

    [PostgresFact]
    public async Task RouteCreatedOnA_AnswersOnB()
    {
        await using var two = await TwoInstances.StartAsync();
        var key = await AdminApi.CreateKeyAsync(two.A.Admin, "default");
        await AdminApi.CreateProviderAsync(two.A.Admin, "default", "p", new Uri(two.Upstream.BaseAddress, "v1").ToString(), "openai");

        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "m", "p", "upstream-m");

        await TwoInstances.EventuallyAsync(() => TwoInstances.AnswersAsync(two.B, key, "m"), TwoInstances.Propagation, "the route created on A answering on B");
        Assert.Equal("upstream-m", two.Upstream.Requests[^1].Model);
    }

    [PostgresFact]
    public async Task KeyCooledOnA_IsNotUsedByB()
    {
        await using var two = await TwoInstances.StartAsync();
        var key = await CoolKeyAOnAAsync(two);

        Assert.True(await TwoInstances.AnswersAsync(two.B, key, "m"));
        Assert.Equal("sk-b", Assert.Single(two.Upstream.Requests).UpstreamKey);
    }

    /// <summary>A reset outranks the older cooldown on the other instance too, and neither instance brings it back.</summary>
    [PostgresFact]
    public async Task KeyResetOnA_ClearsItsCooldownOnB()
    {
        await using var two = await TwoInstances.StartAsync();
        var key = await CoolKeyAOnAAsync(two);
        var keyA = (await AdminApi.OkAsync(two.A.Admin, HttpMethod.Get, "admin/llm/health?group_id=default"))
            .GetProperty("health")[0].GetProperty("keys")[0].GetProperty("key_id").GetString();

        var reset = await AdminApi.OkAsync(two.A.Admin, HttpMethod.Post, $"admin/llm/health/p/reset?key_id={keyA}");

        Assert.Equal("ok", reset.GetProperty("health").GetProperty("keys")[0].GetProperty("state").GetString());
        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.B, "ok"), TwoInstances.Propagation, "A's reset of key a reaching B");
        Assert.True(await TwoInstances.AnswersAsync(two.B, key, "m"));
        Assert.True(await TwoInstances.AnswersAsync(two.A, key, "m"));
        Assert.Equal(["sk-a", "sk-a"], two.Upstream.Requests.Select(request => request.UpstreamKey));
        Assert.True(await TwoInstances.KeyAIsAsync(two.A, "ok"));
    }

    [PostgresFact]
    public async Task LogRowsOfBothInstances_AreInOneStatsQuery_WithTheirInstance()
    {
        await using var two = await TwoInstances.StartAsync();
        var key = await two.ConfigureAsync("m");
        Assert.True(await TwoInstances.AnswersAsync(two.A, key, "m"));

        var instances = new List<string?>();
        await TwoInstances.EventuallyAsync(async () =>
        {
            var logs = (await AdminApi.OkAsync(two.A.Admin, HttpMethod.Get, "admin/llm/logs?limit=10")).GetProperty("logs");
            instances = logs.EnumerateArray().Select(row => row.GetProperty("instance_id").GetString()).Order().ToList();
            return instances.Count == 2;
        }, TimeSpan.FromSeconds(10), "both log rows being written");

        Assert.Equal(["a", "b"], instances);
        var stats = await AdminApi.OkAsync(two.B.Admin, HttpMethod.Get, "admin/llm/stats");
        Assert.Equal(2, stats.GetProperty("stats").GetProperty("total").GetInt64());
    }

    /// <summary>Configures two keys through A, has A cool key a (a 429 with a 10-minute Retry-After) and waits until B shows it cooling.</summary>
    private static async Task<string> CoolKeyAOnAAsync(TwoInstances two)
    {
        var key = await two.ConfigureAsync("m");
        two.Upstream.Reset();
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));

        Assert.True(await TwoInstances.AnswersAsync(two.A, key, "m"));
        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.B, "cooling"), TwoInstances.Propagation, "A's cooldown of key a reaching B");
        two.Upstream.Reset();
        return key;
    }

    /// <summary>
    /// A quarantined key is probed by one instance per probe interval, whichever claims it first in the database; the
    /// others learn the result through the key states they share (an audit saw each of three instances probe every key).
    /// </summary>
    [PostgresFact]
    public async Task AQuarantinedKey_IsProbedByOneInstance_NotByEach()
    {
        await using var two = await TwoInstances.StartAsync();
        await two.ConfigureAsync("m");
        Assert.True(two.A.Services.GetRequiredService<RoutingTableHolder>().Current.TryGetProvider("p", out var provider));
        var keyA = provider.Keys.Single(key => key.Name == "a");
        var now = DateTimeOffset.UtcNow;
        await two.A.Services.GetRequiredService<KeyHealthRepository>().UpsertAsync(
            [new KeyHealthState(keyA.KeyId, "p", 2, 2, null, new Dictionary<string, DateTimeOffset>(), "refused the credential 2 times", now, 401, "refused", now, null)],
            CancellationToken.None);
        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.A, "quarantined"), TwoInstances.Propagation, "the quarantine reaching A");
        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.B, "quarantined"), TwoInstances.Propagation, "the quarantine reaching B");
        // The probes fail, so the key stays quarantined and each instance would probe it again.
        two.Upstream.Reset();
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));

        foreach (var server in new[] { two.A, two.B, two.A })
        {
            await server.Services.GetRequiredService<QuarantineProber>().ProbeQuarantinedAsync(CancellationToken.None);
        }

        Assert.Single(two.Upstream.Requests, request => request.UpstreamKey == "sk-a");
    }
}
