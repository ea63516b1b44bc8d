using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class IssuedKeysAdminTests
{
    [Fact]
    public async Task Create_ReturnsPlaintextOnce_ListsNever()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "alice", ["owner_user_id"] = "u1", ["expires_at"] = "2030-01-02T03:04:05Z" });

        var plaintext = created.GetProperty("plaintext").GetString()!;
        Assert.Matches("^db_sk_[A-Za-z0-9_-]{43}$", plaintext);
        Assert.StartsWith("Store this key now.", created.GetProperty("plaintext_note").GetString());
        var key = created.GetProperty("key");
        Assert.Equal(plaintext[..12] + "...", key.GetProperty("key_prefix").GetString());
        Assert.Equal("u1", key.GetProperty("owner_user_id").GetString());
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), key.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("last_used_at").ValueKind);
        Assert.False(key.TryGetProperty("plaintext", out _));
        var list = await AdminApi.GetAsync(server.Admin, "admin/llm/groups/default/keys");
        Assert.DoesNotContain(plaintext, list.Body.GetRawText());
        Assert.DoesNotContain(plaintext[12..], list.Body.GetRawText());
        Assert.Single(list.Body.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Plaintext_ReturnsTheKey()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "k" });
        var keyId = created.GetProperty("key").GetProperty("key_id").GetString()!;

        var reply = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/keys/{keyId}/plaintext");

        Assert.Equal(keyId, reply.GetProperty("key_id").GetString());
        Assert.Equal(created.GetProperty("plaintext").GetString(), reply.GetProperty("plaintext").GetString());
    }

    [Fact]
    public async Task Patch_KeepsExpiresAtUnlessNamed_AndNullClearsIt()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "k", ["expires_at"] = "2030-01-01T00:00:00+02:00" });
        var keyId = created.GetProperty("key").GetProperty("key_id").GetString()!;

        var renamed = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}",
            new JsonObject { ["name"] = "renamed", ["enabled"] = false })).GetProperty("key");
        Assert.Equal("renamed", renamed.GetProperty("name").GetString());
        Assert.False(renamed.GetProperty("enabled").GetBoolean());
        Assert.Equal(new DateTimeOffset(2029, 12, 31, 22, 0, 0, TimeSpan.Zero), renamed.GetProperty("expires_at").GetDateTimeOffset());

        var cleared = (await AdminApi.SendAsync(server.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}", """{"expires_at":null}""")).Body.GetProperty("key");
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("expires_at").ValueKind);
        var fetched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/keys/{keyId}")).GetProperty("key");
        Assert.Equal(JsonValueKind.Null, fetched.GetProperty("expires_at").ValueKind);
        Assert.Equal("renamed", fetched.GetProperty("name").GetString());
    }

    [Fact]
    public async Task GarbageExpiresAt_Returns400()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keyId = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "k" }))
            .GetProperty("key").GetProperty("key_id").GetString();

        var onCreate = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "k", ["expires_at"] = "next tuesday" });
        var onPatch = await AdminApi.PatchAsync(server.Admin, $"admin/llm/keys/{keyId}", new JsonObject { ["expires_at"] = "soon" });

        AdminApi.AssertError(onCreate, HttpStatusCode.BadRequest, "expires_at must be an ISO-8601 timestamp", "expires_at");
        AdminApi.AssertError(onPatch, HttpStatusCode.BadRequest, "expires_at must be an ISO-8601 timestamp", "expires_at");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/keys", new JsonObject()),
            HttpStatusCode.BadRequest, "name is required", "name");
    }

    [Fact]
    public async Task Delete_ThenEveryVerbReturns404()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keyId = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "k" }))
            .GetProperty("key").GetProperty("key_id").GetString();

        var deleted = await AdminApi.OkAsync(server.Admin, HttpMethod.Delete, $"admin/llm/keys/{keyId}");

        Assert.Equal($"key deleted: {keyId}", deleted.GetProperty("message").GetString());
        var detail = $"key not found: {keyId}";
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, $"admin/llm/keys/{keyId}"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, $"admin/llm/keys/{keyId}/plaintext"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, $"admin/llm/keys/{keyId}", new JsonObject()), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, $"admin/llm/keys/{keyId}"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/nope/keys", new JsonObject { ["name"] = "k" }),
            HttpStatusCode.NotFound, "group not found: nope");
    }

    [Fact]
    public async Task Create_WithPlaintext_KeepsIt_RefusesBadOrDuplicate()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        const string existing = "db_sk_migrated-key-0123456789";

        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "old", ["plaintext"] = existing });

        Assert.Equal(existing, created.GetProperty("plaintext").GetString());
        Assert.Equal("db_sk_migrat...", created.GetProperty("key").GetProperty("key_prefix").GetString());
        var keyId = created.GetProperty("key").GetProperty("key_id").GetString();
        var reply = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/keys/{keyId}/plaintext");
        Assert.Equal(existing, reply.GetProperty("plaintext").GetString());
        var again = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "dup", ["plaintext"] = existing });
        AdminApi.AssertError(again, HttpStatusCode.Conflict, "this key already exists");
        const string detail = "plaintext must start with db_sk_ followed by at least 16 characters without spaces";
        foreach (var bad in new[] { "sk-not-a-keyway-key-0123456789", "db_sk_0123456789abcde", "db_sk_0123456789 abcdef" })
        {
            var refused = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "bad", ["plaintext"] = bad });
            AdminApi.AssertError(refused, HttpStatusCode.BadRequest, detail, "plaintext");
        }
        Assert.Single((await AdminApi.GetAsync(server.Admin, "admin/llm/groups/default/keys")).Body.GetProperty("keys").EnumerateArray());
    }
}
