using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// PostgreSQL's side of <see cref="DatabaseDeadline"/>: a connection opened inside one waits for a row or table lock held
/// by another session no longer than the deadline has left (<c>lock_timeout</c>, error 55P03), instead of for ever.
/// Only lock waits are bounded, like SQLite's busy wait: a slow but running statement is left to finish. The setting
/// is the session's, and Npgsql's reset of a connection returned to its pool (RESET ALL, sent ahead of the next
/// statement, by default) takes it off again, so a connection opened outside a deadline neither waits for a set
/// statement nor inherits one.
/// </summary>
internal static class PostgresLockTimeout
{
    /// <summary>Sets the session's lock_timeout to <paramref name="remaining"/>, at least 1 ms (0 would mean no limit).</summary>
    public static Task ApplyAsync(DbConnection connection, TimeSpan remaining, CancellationToken cancellationToken)
    {
        var milliseconds = Math.Max(1, (long)Math.Ceiling(remaining.TotalMilliseconds));
        return connection.ExecuteAsync(
            "SELECT set_config('lock_timeout', @lockTimeout, false)",
            new { lockTimeout = milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken });
    }
}
