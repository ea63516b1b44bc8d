using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>
/// An admin request's <see cref="DatabaseDeadline"/> on PostgreSQL: every statement of a call waits for another session's
/// lock no longer than the deadline has left when the statement starts, so time spent by the statements before it (a
/// lock wait that ended in time, a slow query) is not granted again. Set once when the connection opened, each statement
/// could wait the whole limit, and a call of several statements overran it by a multiple.
/// </summary>
public sealed class PostgresDeadlineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task AStatementAfterASlowOne_WaitsForLocksOnlyForWhatTheDeadlineHasLeft()
    {
        await using var connections = await OpenFactoryAsync();
        using var deadline = DatabaseDeadline.Begin(Limit);
        var started = Stopwatch.StartNew();
        await using var connection = await connections.OpenAsync(CancellationToken.None);

        await connection.ExecuteAsync("SELECT pg_sleep(0.3)");
        var spent = started.Elapsed;

        AssertWithinWhatIsLeft(await LockTimeoutAsync(connection, null), spent);
    }

    [PostgresFact]
    public async Task AfterATransactionRollsBackItsSetting_TheNextStatementIsStillBounded()
    {
        await using var connections = await OpenFactoryAsync();
        using var deadline = DatabaseDeadline.Begin(Limit);
        var started = Stopwatch.StartNew();
        await using var connection = await connections.OpenAsync(CancellationToken.None);

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("SELECT 1", transaction: transaction);
            await transaction.RollbackAsync();
        }
        var spent = started.Elapsed;

        AssertWithinWhatIsLeft(await LockTimeoutAsync(connection, null), spent);
    }

    [PostgresFact]
    public async Task OutsideADeadline_NoLockTimeoutIsSet()
    {
        await using var connections = await OpenFactoryAsync();
        await using var connection = await connections.OpenAsync(CancellationToken.None);

        Assert.Equal(0, await LockTimeoutAsync(connection, null));
    }

    private static async Task<PostgresConnectionFactory> OpenFactoryAsync()
    {
        using var dir = new TempDirectory();
        return new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
    }

    /// <summary>The lock_timeout (ms) the statement reading it runs with.</summary>
    private static Task<int> LockTimeoutAsync(DbConnection connection, DbTransaction? transaction) =>
        connection.ExecuteScalarAsync<int>("SELECT setting::int FROM pg_settings WHERE name = 'lock_timeout'", transaction: transaction);

    private static void AssertWithinWhatIsLeft(int lockTimeoutMilliseconds, TimeSpan spent)
    {
        Assert.InRange(lockTimeoutMilliseconds, 1, (int)Math.Ceiling((Limit - spent).TotalMilliseconds));
    }
}
