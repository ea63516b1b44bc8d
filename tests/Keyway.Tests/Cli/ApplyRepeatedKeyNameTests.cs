using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// The admin API lets a group hold two issued keys of one name (as the Python Keyway does); export tells them apart by
/// key_id so that apply takes back what export wrote, while a file naming one key twice without key_ids is still refused (ApplyFileCheckTests).
/// </summary>
public sealed class ApplyRepeatedKeyNameTests
{
    [Fact]
    public async Task ExportedGroupWithTwoKeysOfOneName_AppliesAsNoChanges_EvenWithPrune()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = await TwoKeysNamedExpAsync(server, dir.Path);
        var file = Path.Combine(dir.Path, "ta.yaml");
        Assert.Equal(0, (await cli.RunAsync("export", "--group", "team-a", "--out", file)).ExitCode);

        var planned = await cli.RunAsync("apply", file, "--dry-run", "--prune");

        Assert.True(planned.ExitCode == 0, planned.Error);
        Assert.Equal("no changes: the gateway matches the file", planned.Out.Trim());
    }

    [Fact]
    public async Task KeyId_ChangesTheKeyItNames_AndNotItsNamesake()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = await TwoKeysNamedExpAsync(server, dir.Path);
        var keys = (await cli.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").EnumerateArray().ToList();
        // The key the list shows second: matched by name, the first one would be changed.
        var second = keys[1].GetProperty("key_id").GetString();
        var firstRpm = keys[0].GetProperty("rpm").ToString();
        var file = Path.Combine(dir.Path, "ta.yaml");
        await File.WriteAllTextAsync(file, $"groups:\n  - group_id: team-a\n    keys:\n      - {{ key_id: {second}, name: exp, rpm: 7 }}\n");

        var applied = await cli.RunAsync("apply", file);

        Assert.True(applied.ExitCode == 0, applied.Error);
        var after = (await cli.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(7, after.Single(k => k.GetProperty("key_id").GetString() == second).GetProperty("rpm").GetInt32());
        Assert.Equal(firstRpm, after.Single(k => k.GetProperty("key_id").GetString() != second).GetProperty("rpm").ToString());
    }

    [Fact]
    public async Task ExportOfTwoKeysOfOneName_CreatesBothOnAnotherGateway_ThenChangesNothing()
    {
        using var dir = new TempDirectory();
        await using var first = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "one")).FullName);
        await using var second = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "two")).FullName);
        var one = await TwoKeysNamedExpAsync(first, dir.Path);
        var file = Path.Combine(dir.Path, "ta.yaml");
        Assert.Equal(0, (await one.RunAsync("export", "--group", "team-a", "--out", file)).ExitCode);
        var two = new CliRunner(second, dir.Path);

        var created = await two.RunAsync("apply", file);
        var again = await two.RunAsync("apply", file, "--prune");

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal(2, (await two.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").GetArrayLength());
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal("no changes: the gateway matches the file", again.Out.Trim());
    }

    private static async Task<CliRunner> TwoKeysNamedExpAsync(KeywayServer server, string directory)
    {
        var cli = new CliRunner(server, directory);
        Assert.Equal(0, (await cli.RunAsync("group", "add", "team-a")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("key", "create", "exp", "--group", "team-a")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("key", "create", "exp", "--group", "team-a", "--rpm", "10")).ExitCode);
        return cli;
    }
}
