using System.Data.Common;
using System.Text.Json.Nodes;
using Keyway.Configuration;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// What `db backup` and `db restore` share: the database copied (<see cref="SqliteBackup"/>) into an owner-only file beside
/// its target under a temporary name, checked with <c>PRAGMA integrity_check</c>, and only then put in its place, so a
/// failed copy never leaves a half file under the target.
/// </summary>
internal static class CheckedSqliteCopy
{
    private static readonly string[] CompanionSuffixes = ["-journal", "-wal", "-shm"];

    /// <param name="putInPlace">Moves the checked copy, named by its argument, to <paramref name="target"/>.</param>
    public static async Task<SqliteBackup.Check> WriteAsync(string source, string target, Action<string> putInPlace, CancellationToken cancellationToken)
    {
        var copy = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var placed = false;
        try
        {
            // Owner-only from the start, before a sealed key is in it.
            SqliteConnectionFactory.CreateOwnerOnlyIfMissing(copy);
            await SqliteBackup.CopyAsync(source, copy, cancellationToken);
            var check = await SqliteBackup.CheckAsync(copy, cancellationToken);
            if (!check.IsSound)
            {
                throw new CliException($"the copy failed PRAGMA integrity_check, so {target} was left as it was: {check.IntegrityCheck}");
            }
            putInPlace(copy);
            placed = true;
            return check;
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"copying {source} failed, so {target} was left as it was: {e.Message}");
        }
        finally
        {
            if (!placed)
            {
                File.Delete(copy);
                DeleteCompanions(copy);
            }
        }
    }

    /// <summary>Removes the journal, WAL and shared-memory files SQLite keeps beside a database file.</summary>
    public static void DeleteCompanions(string path)
    {
        foreach (var suffix in CompanionSuffixes)
        {
            File.Delete(path + suffix);
        }
    }

    public static List<JsonNode?> Tables(SqliteBackup.Check check) =>
        [.. check.Rows.Select(count => (JsonNode?)new JsonObject { ["table"] = count.Table, ["rows"] = count.Rows })];

    /// <summary>Where the secret that opens the copy's sealed keys is: the copy does not hold it.</summary>
    public static string SecretReminder(CliContext context)
    {
        var file = SecretFile(context);
        var secret = context.Get("KEYWAY_SECRET") is not null ? "set in the environment"
            : File.Exists(file) ? file
            : $"the one it was started with: {file} does not exist and KEYWAY_SECRET is not set here";
        return $"The stored keys open only with the KEYWAY_SECRET of the backed-up gateway ({secret}), which the backup does not hold: keep a copy of the secret, stored apart from the backup.";
    }

    /// <summary>
    /// What the restored database needs to start: the backed-up gateway's secret, which the backup does not hold. A new data
    /// dir has no secret.key yet, and a start without one would generate a secret the database refuses.
    /// </summary>
    public static string RestoredSecretReminder(CliContext context)
    {
        const string Needs = "The restored database opens only with the KEYWAY_SECRET of the backed-up gateway, which the backup does not hold";
        var file = SecretFile(context);
        return context.Get("KEYWAY_SECRET") is not null ? $"{Needs}: the KEYWAY_SECRET set here must be that one."
            : File.Exists(file) ? $"{Needs}: {file} must be that gateway's."
            : $"{Needs}: {file} does not exist: put the backed-up gateway's secret.key there (mode 0600), or set KEYWAY_SECRET to it, " +
              "before starting the gateway (a start with another secret is refused, changing nothing).";
    }

    private static string SecretFile(CliContext context) => Path.Combine(context.DataDir, KeywayOptionsLoader.SecretFileName);
}
