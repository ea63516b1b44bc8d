using System.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Keyway.Storage;

/// <summary>
/// A SQLite connection whose commands wait for a lock held by another process no longer than the current
/// <see cref="DatabaseDeadline"/> has left. Outside a deadline they behave as plain commands: the busy timeout per
/// statement, and Dapper.AOT's command timeout of 0, which makes Microsoft.Data.Sqlite retry a busy statement for ever.
/// </summary>
internal sealed class BoundedSqliteConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>How long a statement outside a deadline waits for another process's lock.</summary>
    public const int DefaultBusyTimeoutMilliseconds = 30_000;

    private const int SqliteBusy = 5;
    private const int RetryMarginMilliseconds = 200;

    // Unknown at first: a pooled SQLite handle keeps the busy timeout its last command set.
    private int _busyTimeoutMilliseconds = -1;

    public override SqliteCommand CreateCommand() => new BoundedCommand
    {
        Connection = this,
        CommandTimeout = DefaultTimeout,
        Transaction = Transaction,
    };

    private void SetBusyTimeout(int milliseconds)
    {
        if (milliseconds != _busyTimeoutMilliseconds)
        {
            raw.sqlite3_busy_timeout(Handle, milliseconds);
            _busyTimeoutMilliseconds = milliseconds;
        }
    }

    private sealed class BoundedCommand : SqliteCommand
    {
        // Every Execute… ends here, and so do BEGIN, COMMIT and ROLLBACK, which Microsoft.Data.Sqlite runs as commands of
        // the connection. Inside a transaction (BEGIN IMMEDIATE took the write lock) nothing waits for another process,
        // and COMMIT or ROLLBACK must never be refused.
        public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
        {
            var connection = (BoundedSqliteConnection)Connection!;
            if (connection.Transaction is not null || DatabaseDeadline.Remaining is not { } remaining)
            {
                connection.SetBusyTimeout(DefaultBusyTimeoutMilliseconds);
                return base.ExecuteReader(behavior);
            }
            if (remaining <= TimeSpan.Zero)
            {
                // The request's time is up: the rest of it fails at once rather than each statement waiting once more.
                throw new SqliteException("database is locked (the time limit of this request passed)", SqliteBusy);
            }
            var wait = (int)Math.Min(remaining.TotalMilliseconds, DefaultBusyTimeoutMilliseconds);
            connection.SetBusyTimeout(wait);
            // Microsoft.Data.Sqlite steps a busy statement again (each step waiting the busy timeout) until
            // CommandTimeout has passed: whole seconds, a little under the busy wait (SQLite's busy handler may give up
            // up to 100 ms early), so the statement gives up once that wait is over.
            CommandTimeout = Math.Max(1, (wait - RetryMarginMilliseconds) / 1000);
            return base.ExecuteReader(behavior);
        }
    }
}
