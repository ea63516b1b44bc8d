using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Cli;

/// <summary>`provider reorder` and `provider move-key`: the order a provider's key pool tries its keys, written whole.</summary>
public sealed class KeyPoolOrderCommandTests
{
    private static async Task<(KeywayServer Server, CliRunner Cli)> StartWithPoolAsync(TempDirectory dir)
    {
        var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1",
            "--api-key", "a=sk-a-0123456789", "--api-key", "b=sk-b-0123456789", "--api-key", "c=sk-c-0123456789");
        return (server, cli);
    }

    private static IEnumerable<string?> Names(JsonElement answer) =>
        answer.GetProperty("provider").GetProperty("api_keys").EnumerateArray().Select(key => key.GetProperty("name").GetString());

    private static async Task<string> KeyIdAsync(CliRunner cli, string name) =>
        (await cli.JsonAsync("provider", "show", "p1")).GetProperty("provider").GetProperty("api_keys").EnumerateArray()
        .Single(key => key.GetProperty("name").GetString() == name).GetProperty("key_id").GetString()!;

    [Fact]
    public async Task Reorder_SetsTheWholeOrder_NamingKeysByNameOrId()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartWithPoolAsync(dir);
        await using var _ = server;

        var reordered = await cli.JsonAsync("provider", "reorder", "p1", "c", await KeyIdAsync(cli, "a"), "b");

        Assert.Equal(["c", "a", "b"], Names(reordered));
        Assert.Equal(["c", "a", "b"], Names(await cli.JsonAsync("provider", "show", "p1")));
        var table = await cli.RunAsync("provider", "reorder", "p1", "b", "c", "a");
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"1\s+b\s+\S+\s+yes\s+ok[\s\S]*2\s+c\s[\s\S]*3\s+a\s", table.Out);
    }

    [Fact]
    public async Task MoveKey_PutsOneKeyInItsPlace_AndTheOthersKeepTheirOrder()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartWithPoolAsync(dir);
        await using var _ = server;

        Assert.Equal(["b", "c", "a"], Names(await cli.JsonAsync("provider", "move-key", "p1", "a", "--to", "3")));
        Assert.Equal(["b", "a", "c"], Names(await cli.JsonAsync("provider", "move-key", "p1", await KeyIdAsync(cli, "a"), "--to", "2")));
        Assert.Equal(["b", "a", "c"], Names(await cli.JsonAsync("provider", "move-key", "p1", "a", "--to", "2")));
        Assert.Equal(["c", "b", "a"], Names(await cli.JsonAsync("provider", "move-key", "p1", "c", "--to", "1")));
    }

    [Theory]
    [InlineData(1, "keyway: key_ids must name each key of the pool", "reorder", "p1", "a", "b")]
    [InlineData(1, "no key 'x'", "reorder", "p1", "a", "b", "c", "x")]
    [InlineData(1, "keyway: provider not found: nope", "reorder", "nope", "a")]
    [InlineData(1, "keyway: provider not found: nope", "move-key", "nope", "a", "--to", "1")]
    [InlineData(1, "which has 3 key(s)", "move-key", "p1", "a", "--to", "4")]
    [InlineData(2, "--to must be 1 or more", "move-key", "p1", "a", "--to", "0")]
    [InlineData(2, "--to", "move-key", "p1", "a")]
    [InlineData(2, "keys", "reorder", "p1")]
    public async Task Refusals_ChangeNothing(int exitCode, string error, params string[] args)
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartWithPoolAsync(dir);
        await using var _ = server;

        var result = await cli.RunAsync(["provider", .. args]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(error, result.Error);
        Assert.Equal(["a", "b", "c"], Names(await cli.JsonAsync("provider", "show", "p1")));
    }

    /// <summary>
    /// A key added or removed between move-key's read and its write: the gateway refuses the order (409, or 400 naming the
    /// key the order lacks), and the command says the pool changed instead of passing on a bare status.
    /// </summary>
    [Theory]
    [InlineData(StatusCodes.Status409Conflict, "the key pool of 'p1' changed while it was reordered; reload it and try again")]
    [InlineData(StatusCodes.Status400BadRequest, "key_ids must name each key of the pool of 'p1' exactly once (missing: k3)")]
    public async Task MoveKey_PoolChangedMeanwhile_SaysSo(int status, string detail)
    {
        using var dir = new TempDirectory();
        JsonNode? sent = null;
        await using var admin = LoopbackApp.Create();
        admin.MapGet("/admin/llm/providers/p1", (HttpContext http) => http.Response.WriteAsync(
            """{"ok":true,"provider":{"provider_id":"p1","api_keys":[{"key_id":"k1","name":"a"},{"key_id":"k2","name":"b"}]}}"""));
        admin.MapPut("/admin/llm/providers/p1/keys/order", async (HttpContext http) =>
        {
            sent = await JsonNode.ParseAsync(http.Request.Body);
            http.Response.StatusCode = status;
            await http.Response.WriteAsync(new JsonObject { ["detail"] = detail }.ToJsonString());
        });
        var url = await LoopbackApp.StartAsync(admin);

        var result = await new CliRunner(null, dir.Path).RunAsync("provider", "move-key", "p1", "b", "--to", "1", "--url", url.ToString(), "--token", "t");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("""{"key_ids":["k2","k1"]}""", sent?.ToJsonString());
        Assert.Contains("keyway: the key pool of 'p1' changed while 'b' was being moved", result.Error);
        Assert.Contains("nothing was reordered: run the command again", result.Error);
        Assert.Contains($"The gateway said: {detail}", result.Error);
    }
}
