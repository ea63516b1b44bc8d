using Keyway.Cli;
using Keyway.Tests.Binary;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// One gateway per SQLite data dir, each command a process of its own (the built executable) as an operator runs them:
/// a second `keyway serve` and `db restore` are refused while a gateway holds the data dir, also once keyway.pid was
/// deleted; the hold ends with the process, even one killed with SIGKILL, and a stale keyway.pid blocks no start.
/// </summary>
public sealed class DataDirLockTests
{
    [Fact]
    public async Task SecondServe_AndRestore_AreRefusedWhileAGatewayRuns_EvenWithoutItsPidFile_UntilItIsKilled()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        var environment = KeywayBinary.Environment(dataDir);
        var backup = Path.Combine(dir.Path, "backup.db");
        int killed;
        await using (var first = await KeywayProcess.StartAsync(environment, dir.Path))
        {
            var state = ServerStateFile.ReadLive(dataDir);
            Assert.True(state is not null, first.Output);
            killed = state.ProcessId;

            var second = await KeywayBinary.RunToExitAsync(environment, dir.Path, "serve");
            Assert.True(second.ExitCode == 2, second.Transcript);
            Assert.Equal(
                $"keyway: a gateway already runs for {dataDir} (pid {killed} on {state.Address}): stop it first (`keyway stop`), or give this one another KEYWAY_DATA_DIR",
                second.Stderr.Trim());
            var backedUp = await KeywayBinary.RunToExitAsync(environment, dir.Path, "db", "backup", "--out", backup);
            Assert.True(backedUp.ExitCode == 0, backedUp.Transcript);

            // As a second gateway stopping did before the data dir had a lock: `status` then finds no gateway, the lock still does.
            File.Delete(ServerStateFile.PathIn(dataDir));
            var restore = await KeywayBinary.RunToExitAsync(environment, dir.Path, "db", "restore", backup, "--force");
            Assert.True(restore.ExitCode == 1, restore.Transcript);
            Assert.StartsWith($"keyway: a gateway runs for {dataDir} (pid unknown: ", restore.Stderr);
            Assert.Contains("keyway stop", restore.Stderr);
        }

        // Disposing killed the gateway (SIGKILL); the pid file names it, as a crash leaves it. StartAsync fails unless it serves.
        new ServerStateFile(killed, "http://127.0.0.1:9", DateTimeOffset.UtcNow).Write(dataDir);
        await using var next = await KeywayProcess.StartAsync(environment, dir.Path);
    }
}
