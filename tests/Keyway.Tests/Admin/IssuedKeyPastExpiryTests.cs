using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Cli;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// An <c>expires_at</c> already past made a key the gateway refuses from its first request, without a word at create or
/// edit: refused with a 400 in the parse error's style. A PATCH resending the stored expiry (an edit form) is no change.
/// </summary>
public sealed class IssuedKeyPastExpiryTests
{
    private const string Past = "2020-01-02T03:04:05Z";
    private const string Refusal = "expires_at must be in the future: 2020-01-02T03:04:05Z has passed";

    [Fact]
    public async Task Create_WithAPastExpiry_Is400()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "k", ["expires_at"] = Past });

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, Refusal, "expires_at");
        Assert.Empty((await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/keys")).GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Patch_ToAPastExpiry_Is400_AndTheStoredExpiryStays()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "k", ["expires_at"] = "2099-01-01T00:00:00Z" });
        var keyId = created.GetProperty("key").GetProperty("key_id").GetString();

        var reply = await AdminApi.PatchAsync(server.Admin, $"admin/llm/keys/{keyId}", new JsonObject { ["expires_at"] = Past });
        var resent = await AdminApi.PatchAsync(server.Admin, $"admin/llm/keys/{keyId}", new JsonObject { ["name"] = "k2", ["expires_at"] = "2099-01-01T00:00:00Z" });

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, Refusal, "expires_at");
        Assert.Equal(HttpStatusCode.OK, resent.Status);
        Assert.Equal(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), resent.Body.GetProperty("key").GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Cli_KeyCreate_WithAPastExpiry_PrintsTheApiMessage_AndExits1()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var result = await new CliRunner(server, dir.Path).RunAsync("key", "create", "k", "--expires-at", Past);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"keyway: {Refusal}\n", result.Error);
    }
}
