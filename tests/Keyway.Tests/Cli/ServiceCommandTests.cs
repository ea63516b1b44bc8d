using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>service install/uninstall write and remove the systemd unit (systemctl is not called in tests).</summary>
public sealed class ServiceCommandTests
{
    [Fact]
    public async Task InstallThenUninstall_WritesAndRemovesUnit()
    {
        using var dir = new TempDirectory();
        var units = Path.Combine(dir.Path, "units");
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = "./state" });

        var installed = await cli.RunAsync("service", "install", "--unit-dir", units, "--no-systemctl");
        Assert.Equal(0, installed.ExitCode);
        var unit = await File.ReadAllTextAsync(Path.Combine(units, "keyway.service"));
        Assert.Contains($"WorkingDirectory={dir.Path}", unit);
        Assert.Contains($"Environment=\"KEYWAY_DATA_DIR={Path.Combine(dir.Path, "state")}\"\n", unit);
        Assert.Contains(" serve\n", unit);
        Assert.Contains("created", installed.Out);
        Assert.Contains("unchanged", (await cli.RunAsync("service", "install", "--unit-dir", units, "--no-systemctl")).Out);

        var removed = await cli.RunAsync("service", "uninstall", "--unit-dir", units, "--no-systemctl");
        Assert.Equal(0, removed.ExitCode);
        Assert.False(File.Exists(Path.Combine(units, "keyway.service")));
    }

    [Fact]
    public async Task Install_QuotesPathsSystemdWouldSplitOrExpand()
    {
        using var dir = new TempDirectory();
        var workingDirectory = Directory.CreateDirectory(Path.Combine(dir.Path, "my keyway 100%")).FullName;
        var units = Path.Combine(dir.Path, "units");
        var cli = new CliRunner(null, workingDirectory, new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = "./data dir" });

        Assert.Equal(0, (await cli.RunAsync("service", "install", "--unit-dir", units, "--no-systemctl")).ExitCode);

        var unit = await File.ReadAllTextAsync(Path.Combine(units, "keyway.service"));
        var escaped = workingDirectory.Replace("%", "%%");
        Assert.Contains($"\nWorkingDirectory={escaped}\n", unit);
        Assert.Contains($"\nEnvironment=\"KEYWAY_DATA_DIR={escaped}/data dir\"\n", unit);
        Assert.Contains($"\nEnvironmentFile=-{escaped}/.env\n", unit);
    }

    /// <summary>systemd's SIGKILL comes after the drain and the request log's final flush, not at the drain's end.</summary>
    [Theory]
    [InlineData(null, 50)]
    [InlineData("2", 22)]
    public async Task Install_GivesTheStopTheDrainPlusTheFinalFlush(string? drainSeconds, int timeoutStopSeconds)
    {
        using var dir = new TempDirectory();
        var units = Path.Combine(dir.Path, "units");
        if (drainSeconds is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(dir.Path, ".env"), $"KEYWAY_DRAIN_SECONDS={drainSeconds}\n");
        }

        Assert.Equal(0, (await new CliRunner(null, dir.Path).RunAsync("service", "install", "--unit-dir", units, "--no-systemctl")).ExitCode);

        Assert.Contains($"\nTimeoutStopSec={timeoutStopSeconds}\n", await File.ReadAllTextAsync(Path.Combine(units, "keyway.service")));
    }
}
