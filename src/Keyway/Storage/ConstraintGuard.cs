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
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint
            && e.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique)
        {
            throw new StorageConflictException("A row with the same key already exists.", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StorageConflictException("A row with the same key already exists.", e);
        }
    }

    public static Task RunAsync(Func<Task> write) => RunAsync(async () =>
    {
        await write();
        return true;
    });
}
