using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Turns a unique/primary-key violation into <see cref="StorageConflictException"/>. The database is the
/// judge of duplicates: a SELECT before the INSERT would race with a concurrent writer.
/// </summary>
internal static class ConstraintGuard
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    public static async Task<T> RunAsync<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException e) when (IsDuplicateKey(e))
        {
            throw new StorageConflictException("A row with the same key already exists.", e);
        }
    }

    private static bool IsDuplicateKey(DbException e) => e is SqliteException sqlite
        ? sqlite.SqliteErrorCode == SqliteConstraint && sqlite.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique
        : IsPostgresUniqueViolation(e);

    // Its own method because compiling a type test for PostgresException loads Npgsql: a gateway on SQLite never
    // compiles it and never maps Npgsql (0.9 MB of idle RSS, bench/idle-rss.sh).
    private static bool IsPostgresUniqueViolation(DbException e) => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public static Task RunAsync(Func<Task> write) => RunAsync(async () =>
    {
        await write();
        return true;
    });
}
