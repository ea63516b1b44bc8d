using System.Text.Json;

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
        await using var bed = await TwoKeysNamedExpAsync();
        var file = await bed.ExportAsync("--group", "team-a");

        await bed.AssertNoChangesAsync(file, "--dry-run", "--prune");
    }

    [Fact]
    public async Task KeyId_ChangesTheKeyItNames_AndNotItsNamesake()
    {
        await using var bed = await TwoKeysNamedExpAsync();
        var cli = bed.Cli;
        var keys = (await cli.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").EnumerateArray().ToList();
        // The key the list shows second: matched by name, the first one would be changed.
        var second = keys[1].GetProperty("key_id").GetString();
        var firstRpm = keys[0].GetProperty("rpm").ToString();
        await bed.WriteAsync($"groups:\n  - group_id: team-a\n    keys:\n      - {{ key_id: {second}, name: exp, rpm: 7 }}\n");

        var applied = await cli.RunAsync("apply", bed.File);

        Assert.True(applied.ExitCode == 0, applied.Error);
        var after = (await cli.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(7, after.Single(k => k.GetProperty("key_id").GetString() == second).GetProperty("rpm").GetInt32());
        Assert.Equal(firstRpm, after.Single(k => k.GetProperty("key_id").GetString() != second).GetProperty("rpm").ToString());
    }

    [Fact]
    public async Task ExportOfTwoKeysOfOneName_CreatesBothOnAnotherGateway_ThenChangesNothing()
    {
        await using var first = await TwoKeysNamedExpAsync();
        await using var second = await ApplyBed.StartAsync();
        var file = await first.ExportAsync("--group", "team-a");

        var created = await second.Cli.RunAsync("apply", file);

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal(2, (await second.Cli.JsonAsync("key", "list", "--group", "team-a")).GetProperty("keys").GetArrayLength());
        await second.AssertNoChangesAsync(file, "--prune");
    }

    private static async Task<ApplyBed> TwoKeysNamedExpAsync()
    {
        var bed = await ApplyBed.StartAsync();
        Assert.Equal(0, (await bed.Cli.RunAsync("group", "add", "team-a")).ExitCode);
        Assert.Equal(0, (await bed.Cli.RunAsync("key", "create", "exp", "--group", "team-a")).ExitCode);
        Assert.Equal(0, (await bed.Cli.RunAsync("key", "create", "exp", "--group", "team-a", "--rpm", "10")).ExitCode);
        return bed;
    }
}
