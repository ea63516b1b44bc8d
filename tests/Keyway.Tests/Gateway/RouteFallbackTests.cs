using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Routes with fallback targets (provider + model), the circuit breaker, pinned keys and the unified alias.</summary>
public sealed class RouteFallbackTests
{
    private const string Backup = "backup-openai";
    private const string BackupModel = "backup-model";

    private static async Task<(KeyPoolBed Pool, string RouteId)> StartWithBackupAsync()
    {
        var pool = await KeyPoolBed.StartAsync("priority", "a");
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = Backup,
            ["name"] = Backup,
            ["base_url"] = new Uri(pool.Upstream.BaseAddress, "v1").ToString(),
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "z", ["api_key"] = KeyPoolBed.Secret("z") }),
        });
        var routes = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");
        var routeId = routes.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias)
            .GetProperty("route_id").GetString()!;
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, $"admin/llm/routes/{routeId}/providers", new JsonObject
        {
            ["provider_id"] = Backup,
            ["upstream_model"] = BackupModel,
            ["priority"] = 1,
        });
        return (pool, routeId);
    }

    [Fact]
    public async Task WhenThePrimaryPoolFails_TheNextTargetAnswersWithItsOwnModel()
    {
        var (pool, _) = await StartWithBackupAsync();
        await using var _ = pool;
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(502, "bad gateway"));

        Assert.Equal(200, await pool.ChatStatusAsync());

        var requests = pool.Upstream.Requests;
        Assert.Equal([GatewayTestBed.OpenAIModel, BackupModel], requests.Select(r => r.Model));
        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(Backup, log.GetProperty("provider_id").GetString());
        Assert.Equal(BackupModel, log.GetProperty("upstream_model").GetString());
        Assert.Equal(2, log.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task EveryTargetRateLimited_CoolsTheKeysOfEveryTarget_NotOnlyThePrimary()
    {
        var (pool, _) = await StartWithBackupAsync();
        await using var _ = pool;
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(40));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("z"), FakeReply.OpenAIRateLimit(20));

        Assert.Equal(429, await pool.ChatStatusAsync());
        using var second = await pool.ChatAsync();

        Assert.Equal(["a", "z"], pool.TakeKeysSeen());
        Assert.Equal(503, (int)second.StatusCode);
        Assert.Equal("20", second.Headers.GetValues("Retry-After").Single());
        Assert.Equal("cooling", (await pool.KeyHealthAsync("z", Backup)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ATargetThatKeepsFailing_IsTriedLastWhileItsCircuitIsOpen_AndFirstAgainAfterwards()
    {
        var (pool, _) = await StartWithBackupAsync();
        await using var _ = pool;
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new() { ["key_failure_threshold"] = 100 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "down"), times: 3);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, await pool.ChatStatusAsync());
        }
        Assert.Equal(["a", "z", "a", "z", "a", "z", "z"], pool.TakeKeysSeen());
        var health = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/health");
        Assert.True(health.GetProperty("health").EnumerateArray()
            .Single(p => p.GetProperty("provider_id").GetString() == GatewayTestBed.OpenAIProvider).GetProperty("circuit_open").GetBoolean());

        pool.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task TargetsOfTheOtherProtocol_AreReachedThroughTranslation()
    {
        var (pool, routeId) = await StartWithBackupAsync();
        await using var _ = pool;
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, $"admin/llm/routes/{routeId}/providers",
            new JsonObject { ["provider_id"] = GatewayTestBed.AnthropicProvider, ["priority"] = 0 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "down"));

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", AdminApi.DefaultUpstreamKey["sk-".Length..]], pool.Upstream.Requests.Select(r => r.UpstreamKey?["sk-".Length..]));
        Assert.Equal(["/v1/chat/completions", "/v1/messages"], pool.Upstream.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task PinnedKey_IsTheOnlyKeyUsed_AndAnUnknownKeyNameIsNotFound()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");

        Assert.Equal(200, await pool.ChatStatusAsync("gpt-alias[b]"));
        Assert.Equal(200, await pool.ChatStatusAsync("gpt-alias[b]"));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("b"), FakeReply.OpenAIRateLimit(30), times: 1);
        Assert.Equal(429, await pool.ChatStatusAsync("gpt-alias[b]"));
        Assert.Equal(["b", "b", "b"], pool.TakeKeysSeen());

        using var missing = await pool.ChatAsync("gpt-alias[nope]");
        await GatewayErrorAssert.OpenAIAsync(missing, 404, "model 'gpt-alias[nope]' not found in group 'default'");
        Assert.Empty(pool.Upstream.Requests);
    }

    [Fact]
    public async Task UnifiedAlias_FollowsItsRoute_AndASwitchTakesEffectOnTheNextRequest()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await AdminApi.CreateRouteAsync(pool.Admin, "default", "other-alias", GatewayTestBed.OpenAIProvider, "other-model");
        var none = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, none.GetProperty("unified").ValueKind);

        var set = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias });
        Assert.Equal(200, await pool.ChatStatusAsync("unified-model"));
        await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = "other-alias", key_name = "b" });
        Assert.Equal(200, await pool.ChatStatusAsync("unified-model"));

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("unified-model", set.Body.GetProperty("unified").GetProperty("alias").GetString());
        Assert.Equal([GatewayTestBed.OpenAIModel, "other-model"], pool.Upstream.Requests.Select(r => r.Model));
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var current = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified");
        Assert.Equal("other-alias", current.GetProperty("unified").GetProperty("route_alias").GetString());
        Assert.Equal("b", current.GetProperty("unified").GetProperty("key_name").GetString());
    }

    [Fact]
    public async Task UnifiedAlias_IsListedInModels()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias });

        var models = await AdminApi.GetAsync(pool.Bed.Client, "v1/models");

        var ids = models.Body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal([GatewayTestBed.AnthropicAlias, GatewayTestBed.OpenAIAlias, "unified-model"], ids);
    }

    [Fact]
    public async Task UnifiedAlias_RejectsAKeyOutsideThePool_AndAnAliasThatIsARoute()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");

        var badKey = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias, key_name = "zz" });
        var taken = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { alias = GatewayTestBed.AnthropicAlias, route_alias = GatewayTestBed.OpenAIAlias });
        var noRoute = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = "nope" });

        AdminApi.AssertError(badKey, HttpStatusCode.BadRequest, "key_name 'zz' is not in the key pool of route 'gpt-alias'", "key_name");
        AdminApi.AssertError(taken, HttpStatusCode.Conflict, "alias 'claude-alias' already exists in group 'default'");
        AdminApi.AssertError(noRoute, HttpStatusCode.BadRequest, "route not found in this group: nope", "route_alias");
    }

    [Fact]
    public async Task UnifiedPin_WhoseKeyIsDeletedOrReplaced_LetsThePoolChoose_AndTheAdminApiSaysSo()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "pinme");
        var providerPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias, key_name = "pinme" });
        Assert.Equal(200, await pool.ChatStatusAsync("unified-model"));
        Assert.Equal(["pinme"], pool.TakeKeysSeen());
        var keys = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, providerPath)).GetProperty("provider").GetProperty("api_keys");
        var pinnedId = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "pinme").GetProperty("key_id").GetString();

        await AdminApi.OkAsync(pool.Admin, HttpMethod.Delete, $"{providerPath}/keys/{pinnedId}");
        var afterDelete = await pool.ChatStatusAsync("unified-model");
        await pool.SetPoolAsync(GatewayTestBed.OpenAIProvider, "priority", "b");
        var afterReplace = await pool.ChatStatusAsync("unified-model");

        Assert.Equal([200, 200], [afterDelete, afterReplace]);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var unified = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified");
        Assert.Equal("pinme", unified.GetProperty("key_name").GetString());
        Assert.False(unified.GetProperty("key_pinned").GetBoolean());
        await pool.SetPoolAsync(GatewayTestBed.OpenAIProvider, "priority", "b", "pinme");
        Assert.Equal(200, await pool.ChatStatusAsync("unified-model"));
        Assert.Equal(["pinme"], pool.TakeKeysSeen());
        Assert.True((await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified").GetProperty("key_pinned").GetBoolean());
    }

    [Fact]
    public async Task UnifiedAlias_OfARenamedRoute_FollowsIt_AndOfADisabledOne_Is404AsTheRoute_UntilItIsEnabledAgain()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias });
        var routeId = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified").GetProperty("route_id").GetString();

        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new { alias = "renamed" });
        var renamed = await pool.ChatStatusAsync("unified-model");
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new { enabled = false });
        var disabled = await pool.ChatStatusAsync("unified-model");
        var routeDisabled = await pool.ChatStatusAsync("renamed");
        var unified = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified");
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new { enabled = true });

        Assert.Equal([200, 404, 404], [renamed, disabled, routeDisabled]);
        Assert.Equal("renamed", unified.GetProperty("route_alias").GetString());
        Assert.Equal(200, await pool.ChatStatusAsync("unified-model"));
    }

    [Fact]
    public async Task RouteProviders_Api_ListsUpdatesAndDeletes_AndRefusesADuplicateProvider()
    {
        var (pool, routeId) = await StartWithBackupAsync();
        await using var _ = pool;

        var list = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}/providers");
        var target = list.GetProperty("route_providers").EnumerateArray().Single();
        var rpId = target.GetProperty("rp_id").GetString();
        var duplicate = await AdminApi.PostAsync(pool.Admin, $"admin/llm/routes/{routeId}/providers", new { provider_id = Backup, upstream_model = "m" });
        var patched = await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/route-providers/{rpId}", new { priority = 5, enabled = false });
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Delete, $"admin/llm/route-providers/{rpId}");
        var after = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}/providers");
        var gone = await AdminApi.DeleteAsync(pool.Admin, $"admin/llm/route-providers/{rpId}");

        string[] fields = ["rp_id", "route_id", "provider_id", "upstream_model", "priority", "enabled", "created_at"];
        Assert.Equal(fields.Order(), target.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(BackupModel, target.GetProperty("upstream_model").GetString());
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal(5, patched.GetProperty("route_provider").GetProperty("priority").GetInt32());
        Assert.False(patched.GetProperty("route_provider").GetProperty("enabled").GetBoolean());
        Assert.Empty(after.GetProperty("route_providers").EnumerateArray());
        AdminApi.AssertError(gone, HttpStatusCode.NotFound, $"route provider not found: {rpId}");
    }

    [Fact]
    public async Task GroupCopy_KeepsFallbackTargetsAndTheUnifiedAlias()
    {
        var (pool, _) = await StartWithBackupAsync();
        await using var _ = pool;
        await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new { route_alias = GatewayTestBed.OpenAIAlias });

        await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new { new_name = "Copy", new_group_id = "grp2" });

        var routes = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/grp2/routes");
        var copiedRoute = routes.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias);
        var copiedId = copiedRoute.GetProperty("route_id").GetString();
        var targets = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/routes/{copiedId}/providers");
        Assert.Equal($"grp2.{Backup}", targets.GetProperty("route_providers").EnumerateArray().Single().GetProperty("provider_id").GetString());
        var unified = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, "admin/llm/groups/grp2/unified");
        Assert.Equal(copiedId, unified.GetProperty("unified").GetProperty("route_id").GetString());
    }
}
