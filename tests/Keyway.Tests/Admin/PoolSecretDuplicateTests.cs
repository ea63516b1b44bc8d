using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Cli;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// One upstream secret twice in a provider's pool was accepted: the two "keys" share one upstream quota and cooldown, so
/// the pool only seems bigger. Refused with a 409 that names the key already holding it, never the secret.
/// </summary>
public sealed class PoolSecretDuplicateTests
{
    private const string Secret = "sk-shared-0123456789";
    private const string Duplicate = "api_key is already in the key pool of provider 'p' as key 'a'";

    private static async Task<KeywayServer> StartAsync(TempDirectory dir)
    {
        var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "p",
            ["name"] = "p",
            ["base_url"] = "https://p.example/v1",
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = Secret }, new JsonObject { ["name"] = "b", ["api_key"] = "sk-other-0123456789" }),
        });
        return server;
    }

    [Fact]
    public async Task AddKey_WithASecretThePoolHolds_Is409_WithoutTheSecret()
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/providers/p/keys", new JsonObject { ["name"] = "c", ["api_key"] = Secret });

        AdminApi.AssertError(reply, HttpStatusCode.Conflict, Duplicate);
        Assert.DoesNotContain(Secret, reply.Body.GetRawText());
    }

    [Fact]
    public async Task EditKey_ToTheSecretOfAnother_Is409_ButItsOwnSecretAgainIsFine()
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir);
        var keys = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/p")).GetProperty("provider").GetProperty("api_keys");
        var keyB = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "b").GetProperty("key_id").GetString();
        var keyA = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "a").GetProperty("key_id").GetString();

        var reply = await AdminApi.PatchAsync(server.Admin, $"admin/llm/providers/p/keys/{keyB}", new JsonObject { ["api_key"] = Secret });
        var same = await AdminApi.PatchAsync(server.Admin, $"admin/llm/providers/p/keys/{keyA}", new JsonObject { ["api_key"] = Secret });

        AdminApi.AssertError(reply, HttpStatusCode.Conflict, Duplicate);
        Assert.Equal(HttpStatusCode.OK, same.Status);
    }

    [Fact]
    public async Task APoolListingOneSecretTwice_Is409_OnCreateAndOnReplace()
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir);
        var twice = new JsonArray(new JsonObject { ["name"] = "x", ["api_key"] = "sk-twice-0123456789" }, new JsonObject { ["name"] = "y", ["api_key"] = "sk-twice-0123456789" });

        var created = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "q",
            ["name"] = "q",
            ["base_url"] = "https://q.example/v1",
            ["api_keys"] = twice.DeepClone(),
        });
        var replaced = await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p", new JsonObject { ["api_keys"] = twice.DeepClone() });

        AdminApi.AssertError(created, HttpStatusCode.Conflict, "api_keys gives one api_key twice: as key 'x' and as key 'y'");
        AdminApi.AssertError(replaced, HttpStatusCode.Conflict, "api_keys gives one api_key twice: as key 'x' and as key 'y'");
        Assert.DoesNotContain("sk-twice", created.Body.GetRawText());
    }

    [Fact]
    public async Task Cli_AddKey_PrintsTheApiMessage_AndExits1()
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir);

        var result = await new CliRunner(server, dir.Path).RunAsync("provider", "add-key", "p", "c", "--api-key", Secret);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(Duplicate, result.Error);
        Assert.DoesNotContain(Secret, result.Error + result.Out);
    }
}
