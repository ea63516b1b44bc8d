using System.Text;
using System.Text.Json.Nodes;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Configuration_SurvivesRestart()
    {
        using var dir = new TempDirectory();
        string plaintext;
        string routeId;
        await using (var first = await KeywayServer.StartAsync(dir.Path))
        {
            await AdminApi.CreateGroupAsync(first.Admin, "team");
            await AdminApi.CreateProviderAsync(first.Admin, "team", "p1", "http://127.0.0.1:1/v1", apiKey: "sk-persist-key-0099");
            routeId = await AdminApi.CreateRouteAsync(first.Admin, "team", "gpt", "p1", "gpt-4o");
            plaintext = await AdminApi.CreateKeyAsync(first.Admin, "team");
            await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/team/tool-providers",
                new JsonObject { ["tool_id"] = "search", ["name"] = "Search", ["api_key"] = "tvly-k" });
        }

        await using var second = await KeywayServer.StartAsync(dir.Path);

        var provider = (await AdminApi.OkAsync(second.Admin, HttpMethod.Get, "admin/llm/providers/p1")).GetProperty("provider");
        Assert.Equal("sk-…0099", provider.GetProperty("api_key").GetString());
        var route = (await AdminApi.OkAsync(second.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}")).GetProperty("route");
        Assert.Equal("gpt", route.GetProperty("alias").GetString());
        var key = (await AdminApi.OkAsync(second.Admin, HttpMethod.Get, "admin/llm/groups/team/keys")).GetProperty("keys")[0];
        var revealed = await AdminApi.OkAsync(second.Admin, HttpMethod.Get, $"admin/llm/keys/{key.GetProperty("key_id").GetString()}/plaintext");
        Assert.Equal(plaintext, revealed.GetProperty("plaintext").GetString());
        Assert.Single((await AdminApi.OkAsync(second.Admin, HttpMethod.Get, "admin/llm/groups/team/tool-providers")).GetProperty("tool_providers").EnumerateArray());
    }

    [Fact]
    public async Task AnotherSecret_IsRefusedAtStartup()
    {
        using var dir = new TempDirectory();
        await using (var first = await KeywayServer.StartAsync(dir.Path))
        {
            await AdminApi.CreateProviderAsync(first.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        }

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() =>
            KeywayServer.StartAsync(dir.Path, options => options with { Secret = "a-completely-different-secret-value" }));

        Assert.Contains("KEYWAY_SECRET does not match", refused.Message);
    }

    [Fact]
    [Trait("Storage", "SqliteFile")]
    public async Task DatabaseAndWal_ContainNoSecretInPlaintext()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        const string upstreamKey = "sk-upstream-NEVER-ON-DISK-4242";
        const string poolKey = "sk-pool-NEVER-ON-DISK-4343";
        const string toolKey = "tvly-NEVER-ON-DISK-4444";
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1", apiKey: upstreamKey);
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/providers/p1/keys", new JsonObject { ["name"] = "pool", ["api_key"] = poolKey });
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["tool_id"] = "t", ["name"] = "T", ["api_key"] = toolKey });
        var issuedKey = await AdminApi.CreateKeyAsync(server.Admin, "default");
        var copy = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "c" });
        var copiedKey = copy.GetProperty("issued_keys")[0].GetProperty("plaintext").GetString()!;

        var database = Path.Combine(dir.Path, "keyway.db");
        var files = new[] { database, database + "-wal" }.Where(File.Exists).ToList();
        Assert.Contains(database + "-wal", files);
        foreach (var file in files)
        {
            var bytes = ReadShared(file);
            foreach (var secret in new[] { upstreamKey, poolKey, toolKey, issuedKey, copiedKey, issuedKey[IssuedKeyTail..] })
            {
                Assert.False(Contains(bytes, secret), $"{Path.GetFileName(file)} contains a secret in plaintext");
            }
        }
    }

    // The key prefix ("db_sk_" + 6 chars) is stored on purpose; the rest of the key must not be.
    private const int IssuedKeyTail = 12;

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
