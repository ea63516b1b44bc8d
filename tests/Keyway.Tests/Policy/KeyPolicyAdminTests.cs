using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Policy;

/// <summary>The policy fields of issued keys, upstream keys' allow_visitor and routes' allow_visitors in the admin API.</summary>
public sealed class KeyPolicyAdminTests
{
    [Fact]
    public async Task IssuedKey_PolicyFields_CreateGetListPatchAndClear()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var created = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject
        {
            ["name"] = "limited",
            ["allowed_aliases"] = new JsonArray("gpt-alias", "deepseek-*"),
            ["rpm"] = 60,
            ["tpm"] = 100_000,
            ["max_concurrency"] = 4,
            ["daily_token_budget"] = 5_000_000_000,
            ["monthly_token_budget"] = 90_000_000_000,
            ["visitor"] = true,
        });
        var key = created.GetProperty("key");
        var keyId = key.GetProperty("key_id").GetString()!;
        AssertPolicy(key, ["gpt-alias", "deepseek-*"], 60, 100_000, 4, 5_000_000_000, 90_000_000_000, visitor: true);
        AssertPolicy((await AdminApi.GetAsync(bed.Admin, $"admin/llm/keys/{keyId}")).Body.GetProperty("key"),
            ["gpt-alias", "deepseek-*"], 60, 100_000, 4, 5_000_000_000, 90_000_000_000, visitor: true);

        var patched = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}",
            new JsonObject { ["rpm"] = null, ["allowed_aliases"] = new JsonArray(), ["visitor"] = false, ["tpm"] = 7 });
        AssertPolicy(patched.GetProperty("key"), [], null, 7, 4, 5_000_000_000, 90_000_000_000, visitor: false);

        var listed = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys")).Body.GetProperty("keys")
            .EnumerateArray().Single(item => item.GetProperty("key_id").GetString() == keyId);
        AssertPolicy(listed, [], null, 7, 4, 5_000_000_000, 90_000_000_000, visitor: false);
        var plain = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys")).Body.GetProperty("keys")
            .EnumerateArray().Single(item => item.GetProperty("key_id").GetString() != keyId);
        AssertPolicy(plain, [], null, null, null, null, null, visitor: false);
    }

    [Theory]
    [InlineData("""{"name":"k","rpm":0}""", "rpm must be an integer from 1 to 10000000", "rpm")]
    [InlineData("""{"name":"k","daily_token_budget":-5}""", "daily_token_budget must be an integer from 1 to 1000000000000", "daily_token_budget")]
    [InlineData("""{"name":"k","allowed_aliases":"gpt-alias"}""", "allowed_aliases must be an array of at most 256 aliases or globs", "allowed_aliases")]
    [InlineData("""{"name":"k","allowed_aliases":["gpt alias"]}""", "allowed_aliases: 'gpt alias' is not an alias or glob: it must be non-empty without spaces (e.g. gpt-4o, deepseek-*)", "allowed_aliases")]
    public async Task IssuedKey_InvalidPolicy_Is400NamingTheField(string body, string detail, string field)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var reply = await AdminApi.PostAsync(bed.Admin, "admin/llm/groups/default/keys", body);
        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, field);
    }

    [Fact]
    public async Task UpstreamKeyAllowVisitor_AndRouteAllowVisitors_AreShownAndEdited()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var provider = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";
        var added = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, $"{provider}/keys",
            new JsonObject { ["name"] = "guest", ["api_key"] = "sk-guest-0123456789", ["allow_visitor"] = true });
        var keyId = added.GetProperty("key").GetProperty("key_id").GetString();
        Assert.True(added.GetProperty("key").GetProperty("allow_visitor").GetBoolean());
        var keys = added.GetProperty("provider").GetProperty("api_keys").EnumerateArray().ToDictionary(
            key => key.GetProperty("name").GetString()!, key => key.GetProperty("allow_visitor").GetBoolean());
        Assert.False(keys.Single(pair => pair.Key != "guest").Value);

        var patched = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"{provider}/keys/{keyId}", new JsonObject { ["allow_visitor"] = false });
        Assert.False(patched.GetProperty("key").GetProperty("allow_visitor").GetBoolean());

        var routeId = await AdminApi.CreateRouteAsync(bed.Admin, "default", "open", GatewayTestBed.OpenAIProvider, "m");
        Assert.False((await AdminApi.GetAsync(bed.Admin, $"admin/llm/routes/{routeId}")).Body.GetProperty("route").GetProperty("allow_visitors").GetBoolean());
        var route = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["allow_visitors"] = true });
        Assert.True(route.GetProperty("route").GetProperty("allow_visitors").GetBoolean());
    }

    private static void AssertPolicy(
        JsonElement key, string[] aliases, int? rpm, long? tpm, int? maxConcurrency, long? daily, long? monthly, bool visitor)
    {
        Assert.Equal(aliases, key.GetProperty("allowed_aliases").EnumerateArray().Select(alias => alias.GetString()));
        Assert.Equal(rpm, Number(key, "rpm"));
        Assert.Equal(tpm, Number(key, "tpm"));
        Assert.Equal(maxConcurrency, Number(key, "max_concurrency"));
        Assert.Equal(daily, Number(key, "daily_token_budget"));
        Assert.Equal(monthly, Number(key, "monthly_token_budget"));
        Assert.Equal(visitor, key.GetProperty("visitor").GetBoolean());
    }

    private static long? Number(JsonElement key, string field) =>
        key.GetProperty(field).ValueKind == JsonValueKind.Null ? null : key.GetProperty(field).GetInt64();
}
