using System.Globalization;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// PostgreSQL's side of <see cref="DatabaseDeadline"/>: a statement run inside one waits for a row or table lock held by
/// another session no longer than the deadline has left (<c>lock_timeout</c>, error 55P03), instead of for ever.
/// Only lock waits are bounded, like SQLite's busy wait: a slow but running statement is left to finish. The setting
/// is the session's, and Npgsql's reset of a connection returned to its pool (RESET ALL, sent ahead of the next
/// statement, by default) takes it off again, so a connection opened outside a deadline neither waits for a set
/// statement nor inherits one. <see cref="BoundedPostgresConnection"/> decides when to set it.
/// </summary>
internal static class PostgresLockTimeout
{
    /// <summary>
    /// How long the setting (an admin request's first round trip) may go unanswered: a server that runs answers it at
    /// once, so one silent this long is hung or out of reach, and the request answers 503 now rather than after the
    /// connection's Command Timeout (30 s) and Npgsql's cancellation of it.
    /// </summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(5);

    // Plain ADO.NET rather than Dapper: it runs from inside the bounded connection's own commands, sync and async.
    private const string SetLockTimeout = "SELECT set_config('lock_timeout', $1, false)";

    /// <summary>Sets the session's lock_timeout to <paramref name="remaining"/>, at least 1 ms (0 would mean no limit).</summary>
    public static void Apply(NpgsqlConnection connection, NpgsqlTransaction? transaction, TimeSpan remaining)
    {
        using var command = Command(connection, transaction, remaining);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc cref="Apply"/>
    public static async Task ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, TimeSpan remaining, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, remaining);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, TimeSpan remaining)
    {
        var milliseconds = Math.Max(1, (long)Math.Ceiling(remaining.TotalMilliseconds));
        return new NpgsqlCommand(SetLockTimeout, connection, transaction)
        {
            CommandTimeout = (int)AnswerWithin.TotalSeconds,
            Parameters = { new NpgsqlParameter { Value = milliseconds.ToString(CultureInfo.InvariantCulture) } },
        };
    }
}
