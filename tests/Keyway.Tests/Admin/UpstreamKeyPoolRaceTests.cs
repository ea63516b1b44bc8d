using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// Writes to one provider's key pool that overlap: each test holds the requests between their first read of the pool
/// and their write (<see cref="RequestConnectionGate"/>), the interleaving in which a check made on that read went stale.
/// Run on SQLite, and on PostgreSQL when KEYWAY_TEST_POSTGRES is set.
/// </summary>
public sealed class UpstreamKeyPoolRaceTests
{
    private const string Keys = "admin/llm/providers/p/keys";

    [Fact]
    public async Task SameSecret_AddedTwiceAtOnce_IsRefusedOnce()
    {
        var gate = new RequestConnectionGate();
        using var dir = new TempDirectory();
        await using var server = await StartWithProviderAsync(dir.Path, gate);
        gate.HoldTogether("/keys", open: 2, requests: 2);

        var replies = await Task.WhenAll(
            AdminApi.PostAsync(server.Admin, Keys, new JsonObject { ["name"] = "a", ["api_key"] = "sk-same-secret-0123456789" }),
            AdminApi.PostAsync(server.Admin, Keys, new JsonObject { ["name"] = "b", ["api_key"] = "sk-same-secret-0123456789" }));

        Assert.Single(replies, reply => reply.Status == HttpStatusCode.OK);
        var refused = Assert.Single(replies, reply => reply.Status == HttpStatusCode.Conflict);
        var winner = refused == replies[0] ? "b" : "a";
        AdminApi.AssertError(refused, HttpStatusCode.Conflict, $"api_key is already in the key pool of provider 'p' as key '{winner}'");
        gate.BeforeOpen = null;
        Assert.Equal(2, (await PoolAsync(server)).Count);
    }

    [Fact]
    public async Task KeysAddedAtOnce_TakeTheirOwnPlaces()
    {
        var gate = new RequestConnectionGate();
        using var dir = new TempDirectory();
        await using var server = await StartWithProviderAsync(dir.Path, gate);
        gate.HoldTogether("/keys", open: 2, requests: 2);

        await Task.WhenAll(
            AdminApi.OkAsync(server.Admin, HttpMethod.Post, Keys, new JsonObject { ["name"] = "a", ["api_key"] = "sk-first-0123456789" }),
            AdminApi.OkAsync(server.Admin, HttpMethod.Post, Keys, new JsonObject { ["name"] = "b", ["api_key"] = "sk-second-0123456789" }));

        gate.BeforeOpen = null;
        Assert.Equal([0, 1, 2], (await PoolAsync(server)).Select(key => key["sort_order"]!.GetValue<int>()).Order());
    }

    [Fact]
    public async Task KeyChanged_WhileThePoolIsReordered_KeepsItsNewPlace()
    {
        var gate = new RequestConnectionGate();
        using var dir = new TempDirectory();
        await using var server = await StartWithProviderAsync(dir.Path, gate);
        var ids = await AddKeysAsync(server, "b", "c");
        var patchHeld = new TaskCompletionSource();
        var reordered = new TaskCompletionSource();
        gate.BeforeOpen = (request, open) =>
        {
            if (request.Method != "PATCH" || open != 2)
            {
                return Task.CompletedTask;
            }
            patchHeld.SetResult();
            return reordered.Task;
        };

        var patch = AdminApi.PatchAsync(server.Admin, $"{Keys}/{ids[0]}", new JsonObject { ["enabled"] = false });
        await patchHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await AdminApi.OkAsync(server.Admin, HttpMethod.Put, $"{Keys}/order", new JsonObject { ["key_ids"] = new JsonArray(ids[2], ids[1], ids[0]) });
        reordered.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await patch).Status);

        gate.BeforeOpen = null;
        var pool = await PoolAsync(server);
        Assert.Equal([ids[2], ids[1], ids[0]], pool.Select(key => key["key_id"]!.GetValue<string>()));
        Assert.Equal([0, 1, 2], pool.Select(key => key["sort_order"]!.GetValue<int>()));
        Assert.False(pool[2]["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task KeysMovedToOnePlaceAtOnce_EndInPlacesOfTheirOwn()
    {
        var gate = new RequestConnectionGate();
        using var dir = new TempDirectory();
        await using var server = await StartWithProviderAsync(dir.Path, gate);
        var ids = await AddKeysAsync(server, "b", "c");
        var bothRead = new Barrier(2);
        gate.BeforeOpen = (request, open) => request.Method == "PATCH" && open == 2
            ? Task.Run(() => Assert.True(bothRead.SignalAndWait(TimeSpan.FromSeconds(30)), "the other PATCH did not reach the gate"))
            : Task.CompletedTask;

        await Task.WhenAll(
            AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"{Keys}/{ids[1]}", new JsonObject { ["sort_order"] = 0 }),
            AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"{Keys}/{ids[2]}", new JsonObject { ["sort_order"] = 0 }));

        gate.BeforeOpen = null;
        var pool = await PoolAsync(server);
        Assert.Equal([0, 1, 2], pool.Select(key => key["sort_order"]!.GetValue<int>()));
        Assert.Equal(ids[0], pool[2]["key_id"]!.GetValue<string>());
        Assert.Equal(new[] { ids[1], ids[2] }.Order(), pool.Take(2).Select(key => key["key_id"]!.GetValue<string>()).Order());
    }

    private static async Task<KeywayServer> StartWithProviderAsync(string dataDir, RequestConnectionGate gate)
    {
        var server = await KeywayServer.StartAsync(dataDir, replaceServices: gate.Install);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p", "http://127.0.0.1:9/v1");
        return server;
    }

    /// <summary>Adds keys named <paramref name="names"/> to the provider's pool; the ids of the whole pool, in its order.</summary>
    private static async Task<List<string>> AddKeysAsync(KeywayServer server, params string[] names)
    {
        foreach (var name in names)
        {
            await AdminApi.OkAsync(server.Admin, HttpMethod.Post, Keys, new JsonObject { ["name"] = name, ["api_key"] = $"sk-{name}-0123456789" });
        }
        return [.. (await PoolAsync(server)).Select(key => key["key_id"]!.GetValue<string>())];
    }

    private static async Task<List<JsonNode>> PoolAsync(KeywayServer server)
    {
        var provider = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/p");
        return [.. JsonNode.Parse(provider.GetRawText())!["provider"]!["api_keys"]!.AsArray().OfType<JsonNode>()];
    }
}
