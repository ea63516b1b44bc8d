using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using System.Data.Common;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// Request-log retention on PostgreSQL, where every instance runs the hourly pass: each batch is a transaction of its own
/// (so no statement deletes and locks all old rows at once), and a second instance's pass steps aside while one runs.
/// Each test holds the lock of the last old row from a connection of its own, so the pass stops inside its third batch.
/// </summary>
public sealed class PostgresLogRetentionTests
{
    private const int OldRows = 25;
    private const int BatchSize = 10;

    [PostgresFact]
    public async Task Prune_CommitsEachBatchOnItsOwn()
    {
        using var dir = new TempDirectory();
        await using var connections = await DatabaseWithOldRowsAsync(dir.Path);
        await using var holder = await HoldLastOldRowAsync(connections);
        var repository = new RequestLogRepository(connections);

        var pass = repository.PruneOlderThanAsync(LogTestData.Noon, BatchSize, CancellationToken.None);
        await WaitUntilBlockedAsync(connections, holder, pass);

        Assert.Equal(OldRows - 2 * BatchSize + 1, await LogTestData.CountRowsAsync(connections));
        await holder.Transaction.RollbackAsync();
        Assert.Equal(OldRows, await pass);
        Assert.Equal(1, await LogTestData.CountRowsAsync(connections));
    }

    [PostgresFact]
    public async Task SecondInstance_StepsAside_WhileAPassRuns_AndNoRowIsCountedTwice()
    {
        using var dir = new TempDirectory();
        await using var first = await DatabaseWithOldRowsAsync(dir.Path);
        await using var second = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        await using var holder = await HoldLastOldRowAsync(first);
        var firstPass = new RequestLogRepository(first).PruneOlderThanAsync(LogTestData.Noon, BatchSize, CancellationToken.None);
        await WaitUntilBlockedAsync(first, holder, firstPass);

        var secondPass = await new RequestLogRepository(second).PruneOlderThanAsync(LogTestData.Noon, BatchSize, CancellationToken.None);

        Assert.Equal(0, secondPass);
        Assert.False(firstPass.IsCompleted, "the first pass still waits for the held row");
        await holder.Transaction.RollbackAsync();
        Assert.Equal(OldRows, await firstPass);
        await using var connection = await first.OpenAsync(CancellationToken.None);
        Assert.Equal(OldRows, await connection.ExecuteScalarAsync<long>("SELECT SUM(requests) FROM request_log_days"));
        Assert.Equal(1, await LogTestData.CountRowsAsync(first));
    }

    /// <summary>A migrated schema with <see cref="OldRows"/> rows before noon and one after it.</summary>
    private static async Task<PostgresConnectionFactory> DatabaseWithOldRowsAsync(string dataDir)
    {
        var connections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dataDir));
        await new MigrationRunner(connections).ApplyAsync(CancellationToken.None);
        await new RequestLogRepository(connections).InsertBatchAsync(
            [.. Enumerable.Range(1, OldRows).Select(i => LogTestData.Entry(LogTestData.Noon.AddMinutes(i - OldRows - 1))), LogTestData.Entry(LogTestData.Noon)],
            CancellationToken.None);
        return connections;
    }

    private sealed record HeldRow(DbConnection Connection, DbTransaction Transaction, int ProcessId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>Locks the newest old row, the last one of the pass's third batch, in a transaction left open.</summary>
    private static async Task<HeldRow> HoldLastOldRowAsync(PostgresConnectionFactory connections)
    {
        var connection = await connections.OpenAsync(CancellationToken.None);
        var transaction = await connection.BeginTransactionAsync();
        var processId = await connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: transaction);
        await connection.ExecuteAsync(
            "SELECT log_id FROM request_logs WHERE log_id = (SELECT MAX(log_id) FROM request_logs WHERE created_at < @cutoff) FOR UPDATE",
            new { cutoff = LogTestData.Noon.ToUnixTimeMilliseconds() }, transaction);
        return new HeldRow(connection, transaction, processId);
    }

    /// <summary>Waits until a session waits for the held row's lock: the pass, in its third batch.</summary>
    private static async Task WaitUntilBlockedAsync(PostgresConnectionFactory connections, HeldRow holder, Task pass)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", new { holder = holder.ProcessId }) == 0)
        {
            Assert.False(pass.IsCompleted, "the pass ended before it reached the held row");
            await Task.Delay(20, patience.Token);
        }
    }
}
