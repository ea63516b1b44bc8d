using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Policy;

/// <summary>
/// Visitor keys: served only by upstream keys with allow_visitor and only on routes with allow_visitors; their requests
/// are marked in the request log and the stats.
/// </summary>
public sealed class VisitorKeyTests
{
    private const string MemberSecret = "sk-member-0123456789";
    private const string GuestSecret = "sk-guest-0123456789";

    [Fact]
    public async Task VisitorKey_NeverReachesANonVisitorUpstreamKey_EvenWhenTheVisitorKeyFails()
    {
        await using var bed = await StartAsync();
        var visitor = await bed.CreateKeyAsync(new JsonObject { ["visitor"] = true });
        var member = await bed.CreateKeyAsync(new JsonObject(), "member key");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(visitor.Client, stream: i % 2 == 1));
        }
        Assert.All(bed.Upstream.Requests, request => Assert.Equal(GuestSecret, request.UpstreamKey));

        bed.Upstream.ReplyForKey(GuestSecret, FakeReply.OpenAIRateLimit(30));
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(visitor.Client));
        Assert.All(bed.Upstream.Requests, request => Assert.Equal(GuestSecret, request.UpstreamKey));

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(member.Client));
        Assert.Equal(MemberSecret, bed.Upstream.Last.UpstreamKey);
    }

    [Fact]
    public async Task RoutesNotOpenToVisitors_Are403AndHiddenFromModels()
    {
        await using var bed = await StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "no-guest-key", GatewayTestBed.AnthropicProvider, "model");
        await SetRouteAsync(bed, "no-guest-key", new JsonObject { ["allow_visitors"] = true });
        var visitor = await bed.CreateKeyAsync(new JsonObject { ["visitor"] = true });

        using (var closedRoute = await KeyPolicyBed.MessagesAsync(visitor.Client))
        {
            await GatewayErrorAssert.AnthropicAsync(closedRoute, 403, "permission_error", "model 'claude-alias' is not open to visitor keys");
        }
        using (var noVisitorKey = await KeyPolicyBed.ChatAsync(visitor.Client, "no-guest-key"))
        {
            await GatewayErrorAssert.OpenAIAsync(
                noVisitorKey, 403, "model 'no-guest-key' is not open to visitor keys: the route allows visitors, but none of its upstream keys has allow_visitor");
        }
        var models = await visitor.Client.GetFromJsonAsync<JsonElement>("v1/models");
        Assert.Equal(["gpt-alias"], models.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()));
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task VisitorTraffic_IsMarkedInLogsAndStats()
    {
        await using var bed = await StartAsync();
        var visitor = await bed.CreateKeyAsync(new JsonObject { ["visitor"] = true });
        var member = await bed.CreateKeyAsync(new JsonObject(), "member key");
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(visitor.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(visitor.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(member.Client));

        var logs = await bed.Bed.WaitForLogsAsync(3);
        Assert.Equal(2, logs.Count(row => row.GetProperty("visitor").GetBoolean()));
        Assert.All(logs.Where(row => row.GetProperty("visitor").GetBoolean()), row => Assert.Equal(visitor.KeyId, row.GetProperty("api_key_id").GetString()));

        var stats = (await AdminApi.GetAsync(bed.Admin, "admin/llm/stats")).Body;
        var byVisitor = stats.GetProperty("by_visitor").EnumerateArray().ToDictionary(row => row.GetProperty("visitor").GetBoolean(), row => row.GetProperty("requests").GetInt64());
        Assert.Equal(2, byVisitor[true]);
        Assert.Equal(1, byVisitor[false]);
        var byKey = stats.GetProperty("by_key").EnumerateArray().ToDictionary(row => row.GetProperty("api_key_id").GetString()!, row => row.GetProperty("requests").GetInt64());
        Assert.Equal(2, byKey[visitor.KeyId]);
        Assert.Equal(1, byKey[member.KeyId]);
    }

    /// <summary>The OpenAI provider gets a pool of a member-only key and a visitor key; its alias is open to visitors, the Anthropic one is not.</summary>
    private static async Task<KeyPolicyBed> StartAsync()
    {
        var bed = await KeyPolicyBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["routing_mode"] = "round_robin",
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "member", ["api_key"] = MemberSecret },
                new JsonObject { ["name"] = "guest", ["api_key"] = GuestSecret, ["allow_visitor"] = true }),
        });
        await SetRouteAsync(bed, GatewayTestBed.OpenAIAlias, new JsonObject { ["allow_visitors"] = true });
        return bed;
    }

    private static async Task SetRouteAsync(KeyPolicyBed bed, string alias, JsonObject body)
    {
        var routes = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/routes")).Body.GetProperty("routes");
        var routeId = routes.EnumerateArray().Single(route => route.GetProperty("alias").GetString() == alias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", body);
    }
}
