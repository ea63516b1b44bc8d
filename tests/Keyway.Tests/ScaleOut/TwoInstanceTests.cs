using System.Net;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

public sealed class TwoInstanceTests
{
    /// <summary>The promise: what one instance changes, the others act on within a second.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    private const string Chat = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    [PostgresFact]
    public async Task RouteCreatedOnA_AnswersOnB()
    {
        await using var two = await TwoInstances.StartAsync();
        var key = await AdminApi.CreateKeyAsync(two.A.Admin, "default");
        await AdminApi.CreateProviderAsync(two.A.Admin, "default", "p", new Uri(two.Upstream.BaseAddress, "v1").ToString(), "openai");
        using var clientB = two.B.ClientWithKey(key);

        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "m", "p", "upstream-m");

        await TwoInstances.EventuallyAsync(async () =>
        {
            using var response = await clientB.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat));
            return response.StatusCode == HttpStatusCode.OK;
        }, Propagation, "the route created on A answering on B");
        Assert.Equal("upstream-m", two.Upstream.Requests[^1].Model);
    }

    [PostgresFact]
    public async Task KeyCooledOnA_IsNotUsedByB()
    {
        await using var two = await TwoInstances.StartAsync();
        await AdminApi.OkAsync(two.A.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new
        {
            provider_id = "p",
            name = "p",
            base_url = new Uri(two.Upstream.BaseAddress, "v1").ToString(),
            routing_mode = "priority",
            api_keys = new[] { new { name = "a", api_key = "sk-a" }, new { name = "b", api_key = "sk-b" } },
        });
        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "m", "p", "upstream-m");
        var key = await AdminApi.CreateKeyAsync(two.A.Admin, "default");
        await TwoInstances.EventuallyAsync(() => AnswersAsync(two.B, key), Propagation, "the route reaching B");
        two.Upstream.Reset();
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));

        using (var clientA = two.A.ClientWithKey(key))
        using (var cooled = await clientA.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat)))
        {
            Assert.Equal(HttpStatusCode.OK, cooled.StatusCode);
        }
        await TwoInstances.EventuallyAsync(() => KeyStateOnAsync(two.B, "cooling"), Propagation, "A's cooldown of key a reaching B");
        two.Upstream.Reset();

        Assert.True(await AnswersAsync(two.B, key));
        Assert.Equal("sk-b", Assert.Single(two.Upstream.Requests).UpstreamKey);
    }

    [PostgresFact]
    public async Task LogRowsOfBothInstances_AreInOneStatsQuery_WithTheirInstance()
    {
        await using var two = await TwoInstances.StartAsync();
        await AdminApi.CreateProviderAsync(two.A.Admin, "default", "p", new Uri(two.Upstream.BaseAddress, "v1").ToString(), "openai");
        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "m", "p", "upstream-m");
        var key = await AdminApi.CreateKeyAsync(two.A.Admin, "default");
        await TwoInstances.EventuallyAsync(() => AnswersAsync(two.B, key), Propagation, "the route reaching B");
        Assert.True(await AnswersAsync(two.A, key));

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

    private static async Task<bool> AnswersAsync(KeywayServer server, string key)
    {
        using var client = server.ClientWithKey(key);
        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat));
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static async Task<bool> KeyStateOnAsync(KeywayServer server, string state)
    {
        var health = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/health?group_id=default");
        return health.GetProperty("health")[0].GetProperty("keys")[0].GetProperty("state").GetString() == state;
    }
}
