using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// PUT /admin/llm/providers/{id}/keys/order: a provider's key pool reordered in one write, which the next request follows;
/// a list that is not exactly the pool changes nothing.
/// </summary>
public sealed class KeyPoolOrderAdminTests
{
    private const string OrderPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/order";

    [Fact]
    public async Task Reorder_NumbersThePoolInTheGivenOrder_AndTheNextRequestFollowsIt()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c");
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["a"], pool.TakeKeysSeen());
        var ids = await KeyIdsByNameAsync(pool);
        // A PATCH of one key's sort_order moves it (past the end: last); the reorder numbers the whole pool afresh.
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/{ids["a"]}",
            new JsonObject { ["sort_order"] = 7 });

        var reordered = await AdminApi.OkAsync(pool.Admin, HttpMethod.Put, OrderPath, OrderBody(ids["c"], ids["a"], ids["b"]));

        var keys = reordered.GetProperty("provider").GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["c", "a", "b"], keys.Select(key => key.GetProperty("name").GetString()));
        Assert.Equal([0, 1, 2], keys.Select(key => key.GetProperty("sort_order").GetInt32()));
        Assert.Equal(["c", "a", "b"], (await KeyIdsByNameAsync(pool)).Keys);
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["c"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task PatchOfSortOrder_MovesTheKeyThere_AndShiftsTheOthers_SoNoTwoShareAPlace()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c");
        var ids = await KeyIdsByNameAsync(pool);
        var keyPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/";

        var first = await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, keyPath + ids["c"], new JsonObject { ["sort_order"] = 0 });
        var cFirst = await PlacesAsync(pool);
        var middle = await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, keyPath + ids["c"], new JsonObject { ["sort_order"] = 1 });
        var cMiddle = await PlacesAsync(pool);
        var last = await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, keyPath + ids["a"], new JsonObject { ["sort_order"] = 9 });

        Assert.Equal([("c", 0), ("a", 1), ("b", 2)], cFirst);
        Assert.Equal([("a", 0), ("c", 1), ("b", 2)], cMiddle);
        Assert.Equal([("c", 0), ("b", 1), ("a", 2)], await PlacesAsync(pool));
        Assert.Equal([0, 1, 2], new[] { first, middle, last }.Select(reply => reply.GetProperty("key").GetProperty("sort_order").GetInt32()));
        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(["c"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task ReordersAtOnce_EndInTheWholeOrderOfOneOfThem()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c", "d");
        var ids = await KeyIdsByNameAsync(pool);
        string[][] orders = [["d", "c", "b", "a"], ["b", "d", "a", "c"], ["c", "a", "d", "b"], ["a", "c", "b", "d"]];

        var replies = await Task.WhenAll(orders.Concat(orders).Select(order =>
            AdminApi.SendAsync(pool.Admin, HttpMethod.Put, OrderPath, OrderBody([.. order.Select(name => ids[name])]))));

        Assert.All(replies, reply => Assert.Equal(HttpStatusCode.OK, reply.Status));
        var final = (await KeyIdsByNameAsync(pool)).Keys.ToArray();
        Assert.Contains(orders, order => order.SequenceEqual(final));
    }

    [Theory]
    [InlineData("{a} {b}", "missing: {c}")]
    [InlineData("{a} {b} {c} nope", "not in the pool: nope")]
    [InlineData("{c} {b} {a} {c}", "repeated: {c}")]
    [InlineData("{b} {b} nope", "missing: {a}, {c}; not in the pool: nope; repeated: {b}")]
    public async Task Reorder_NotExactlyThePool_Returns400SayingWhy_AndChangesNothing(string sent, string problems)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c");
        var ids = await KeyIdsByNameAsync(pool);
        string WithIds(string text) => ids.Aggregate(text, (replaced, key) => replaced.Replace($"{{{key.Key}}}", key.Value, StringComparison.Ordinal));

        var reply = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, OrderPath, OrderBody(WithIds(sent).Split(' ')));

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest,
            $"key_ids must name each key of the pool of '{GatewayTestBed.OpenAIProvider}' exactly once ({WithIds(problems)})", "key_ids");
        Assert.Equal(["a", "b", "c"], (await KeyIdsByNameAsync(pool)).Keys);
    }

    [Theory]
    [InlineData("{}", "key_ids is required: the ids of the pool's keys, in the new order")]
    [InlineData("""{"key_ids":"abc"}""", "key_ids is required: the ids of the pool's keys, in the new order")]
    [InlineData("""{"key_ids":[1]}""", "key_ids must be a string")]
    public async Task Reorder_WithoutAListOfIds_Returns400(string json, string detail)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");

        var reply = await AdminApi.SendAsync(pool.Admin, HttpMethod.Put, OrderPath, json);

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, "key_ids");
    }

    [Fact]
    public async Task Reorder_UnknownProvider_Returns404()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Put, "admin/llm/providers/nope/keys/order", OrderBody());

        AdminApi.AssertError(reply, HttpStatusCode.NotFound, "provider not found: nope");
    }

    private static JsonObject OrderBody(params string[] keyIds) =>
        new() { ["key_ids"] = new JsonArray([.. keyIds.Select(id => (JsonNode)id)]) };

    /// <summary>The pool's key names and sort_order, in the pool's order.</summary>
    private static async Task<List<(string Name, int SortOrder)>> PlacesAsync(KeyPoolBed pool)
    {
        var provider = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}");
        return [.. provider.GetProperty("provider").GetProperty("api_keys").EnumerateArray()
            .Select(key => (key.GetProperty("name").GetString()!, key.GetProperty("sort_order").GetInt32()))];
    }

    /// <summary>The pool's key ids by key name, in the pool's order.</summary>
    private static async Task<Dictionary<string, string>> KeyIdsByNameAsync(KeyPoolBed pool)
    {
        var provider = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}");
        return provider.GetProperty("provider").GetProperty("api_keys").EnumerateArray()
            .ToDictionary(key => key.GetProperty("name").GetString()!, key => key.GetProperty("key_id").GetString()!);
    }
}
