using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Keyway.Cli;
using Keyway.Storage;
using Keyway.Tests.Binary;
using Keyway.Tests.Infrastructure;
using Npgsql;

namespace Keyway.Tests.ScaleOut;

/// <summary>`serve --detach` on PostgreSQL while another instance migrates: the start waits for its migration lock.</summary>
public sealed class DetachWhileAnotherMigratesTests
{
    /// <summary>
    /// The other instance holds the migration lock longer than --wait-seconds: `serve --detach` returns 1 naming the pid,
    /// and the gateway goes on starting and listens once the lock is free. A database of its own, since the lock is the
    /// database's and would hold up the other tests' starts.
    /// </summary>
    [PostgresFact]
    public async Task DetachWithWaitSeconds_WhileAnotherInstanceMigrates_ReturnsNamingThePid_AndTheGatewayStillStarts()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        var database = $"kw_wait_{Guid.NewGuid():N}"[..24];
        await AdminAsync($"CREATE DATABASE {database}");
        var url = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Database = database }.ConnectionString;
        var environment = KeywayBinary.Environment(dataDir, new Dictionary<string, string> { ["HOME"] = dir.Path, ["KEYWAY_DATABASE_URL"] = url });
        var pid = 0;
        try
        {
            // Unpooled: the lock is the session's, which a pooled connection would keep open after the block.
            await using (var migrating = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(url) { Pooling = false }.ConnectionString))
            {
                await migrating.OpenAsync();
                await migrating.ExecuteAsync($"SELECT pg_advisory_lock({MigrationRunner.MigrationLockKey})");

                var detached = await KeywayBinary.RunToExitAsync(environment, dir.Path, "serve", "--detach", "--wait-seconds", "1");

                Assert.True(detached.ExitCode == 1, detached.Transcript);
                var refused = Regex.Match(detached.Stderr, "^keyway: the gateway in the background \\(pid ([0-9]+)\\) did not listen within 1 s and still runs: .*--wait-seconds waits longer\\n$");
                Assert.True(refused.Success, detached.Transcript);
                pid = int.Parse(refused.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            var listening = await ListeningAsync(dataDir);
            Assert.True(pid == listening.ProcessId, ServerLog(dataDir));
        }
        finally
        {
            if (pid != 0)
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                await process.WaitForExitAsync();
            }
            await AdminAsync($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    /// <summary>The gateway of <paramref name="dataDir"/> once it wrote keyway.pid, which it does once it listens.</summary>
    private static async Task<ServerStateFile> ListeningAsync(string dataDir)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        ServerStateFile? state;
        while ((state = ServerStateFile.ReadLive(dataDir)) is null)
        {
            await Task.Delay(100, deadline.Token);
        }
        return state;
    }

    private static string ServerLog(string dataDir) => File.ReadAllText(Path.Combine(dataDir, ServeCommand.LogFileName));

    private static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync(sql);
    }
}
