using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Admin;

/// <summary>A pool key's max_concurrency and a provider's key_wait_seconds in the admin API, and in the routing table they build.</summary>
public sealed class KeyLimitsAdminTests
{
    private const string Provider = "admin/llm/providers/limited";

    [Fact]
    public async Task KeyWaitSeconds_CreatePatchAndNullReturnsToTheGlobalDefault()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(
            dir.Path, options => options with { Failover = options.Failover with { KeyWait = TimeSpan.FromSeconds(7) } });
        var created = await CreateProviderAsync(server, new JsonObject { ["key_wait_seconds"] = 30 });
        Assert.Equal(30, created.GetProperty("key_wait_seconds").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(30), Live(server).Policy.KeyWait);

        var zero = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, Provider, new JsonObject { ["key_wait_seconds"] = 0 });
        Assert.Equal(0, zero.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());
        Assert.Equal(TimeSpan.Zero, Live(server).Policy.KeyWait);

        var untouched = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, Provider, new JsonObject { ["note"] = "n" });
        Assert.Equal(0, untouched.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());

        var reset = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, Provider, new JsonObject { ["key_wait_seconds"] = null });
        Assert.Equal(JsonValueKind.Null, reset.GetProperty("provider").GetProperty("key_wait_seconds").ValueKind);
        Assert.Equal(TimeSpan.FromSeconds(7), Live(server).Policy.KeyWait);
    }

    [Fact]
    public async Task MaxConcurrency_OnAddPatchAndPool_ShownAndRemovedByNull()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var created = await CreateProviderAsync(server, new JsonObject());
        Assert.Equal([null, 2], created.GetProperty("api_keys").EnumerateArray().Select(Cap));

        var added = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, $"{Provider}/keys",
            new JsonObject { ["name"] = "third", ["api_key"] = "sk-third-0123456789", ["max_concurrency"] = 4 });
        var keyId = added.GetProperty("key").GetProperty("key_id").GetString();
        Assert.Equal(4, Cap(added.GetProperty("key")));
        Assert.Equal(0, added.GetProperty("key").GetProperty("health").GetProperty("in_flight").GetInt32());
        Assert.Equal([null, 2, 4], Live(server).Keys.Select(key => key.MaxConcurrency));

        var renamed = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"{Provider}/keys/{keyId}", new JsonObject { ["name"] = "3rd" });
        Assert.Equal(4, Cap(renamed.GetProperty("key")));
        var patched = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"{Provider}/keys/{keyId}", new JsonObject { ["max_concurrency"] = 9 });
        Assert.Equal(9, Cap(patched.GetProperty("key")));
        var removed = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"{Provider}/keys/{keyId}", new JsonObject { ["max_concurrency"] = null });
        Assert.Null(Cap(removed.GetProperty("key")));
        Assert.Equal([null, 2, null], Live(server).Keys.Select(key => key.MaxConcurrency));
    }

    [Theory]
    [InlineData("""{"key_wait_seconds":601}""", "key_wait_seconds must be an integer from 0 to 600", "key_wait_seconds")]
    [InlineData("""{"key_wait_seconds":-1}""", "key_wait_seconds must be an integer from 0 to 600", "key_wait_seconds")]
    [InlineData("""{"key_wait_seconds":"30"}""", "key_wait_seconds must be an integer from 0 to 600", "key_wait_seconds")]
    [InlineData("""{"api_keys":[{"name":"a","api_key":"sk-a-0123456789","max_concurrency":0}]}""",
        "api_keys.max_concurrency must be an integer from 1 to 100000", "api_keys")]
    [InlineData("""{"api_keys":[{"name":"a","api_key":"sk-a-0123456789","max_concurrency":1.5}]}""",
        "api_keys.max_concurrency must be an integer from 1 to 100000", "api_keys")]
    public async Task ProviderPatch_InvalidLimit_Is400NamingTheField(string body, string detail, string field)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await CreateProviderAsync(server, new JsonObject());
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, Provider, body), HttpStatusCode.BadRequest, detail, field);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    [InlineData("\"4\"")]
    public async Task KeyAddAndPatch_InvalidMaxConcurrency_Is400NamingTheField(string value)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keyId = (await CreateProviderAsync(server, new JsonObject())).GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        const string Detail = "max_concurrency must be an integer from 1 to 100000";
        AdminApi.AssertError(
            await AdminApi.PostAsync(server.Admin, $"{Provider}/keys", $$"""{"name":"c","api_key":"sk-c-0123456789","max_concurrency":{{value}}}"""),
            HttpStatusCode.BadRequest, Detail, "max_concurrency");
        AdminApi.AssertError(
            await AdminApi.PatchAsync(server.Admin, $"{Provider}/keys/{keyId}", $$"""{"max_concurrency":{{value}}}"""),
            HttpStatusCode.BadRequest, Detail, "max_concurrency");
    }

    /// <summary>The provider "limited" with a pool of two keys, the second capped at 2, plus <paramref name="fields"/>.</summary>
    private static async Task<JsonElement> CreateProviderAsync(KeywayServer server, JsonObject fields)
    {
        fields["provider_id"] = "limited";
        fields["name"] = "limited";
        fields["base_url"] = "https://api.example.com/v1";
        fields["api_keys"] = new JsonArray(
            new JsonObject { ["name"] = "open", ["api_key"] = "sk-open-0123456789" },
            new JsonObject { ["name"] = "capped", ["api_key"] = "sk-capped-0123456789", ["max_concurrency"] = 2 });
        return (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", fields)).GetProperty("provider");
    }

    private static int? Cap(JsonElement key) =>
        key.GetProperty("max_concurrency") is { ValueKind: JsonValueKind.Number } cap ? cap.GetInt32() : null;

    private static UpstreamProvider Live(KeywayServer server) =>
        server.Services.GetRequiredService<RoutingTableHolder>().Current.TryGetProvider("limited", out var provider)
            ? provider
            : throw new InvalidOperationException("provider limited is not in the routing table");
}
