using System.CommandLine;
using System.Data.Common;
using System.Text.Json.Nodes;
using Keyway.Configuration;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// `keyway db backup --out FILE`: a consistent copy of the SQLite database while the gateway runs (<see cref="SqliteBackup"/>).
/// The copy is written beside FILE under another name and renamed to FILE once <c>PRAGMA integrity_check</c> found it
/// sound, so a failed backup never leaves a half file under FILE.
/// </summary>
public static class DbBackupCommand
{
    private static readonly string[] CopySuffixes = ["", "-journal", "-wal", "-shm"];

    public static Command Build(CliContext context)
    {
        var output = new Option<string>("--out", "-o") { Description = "The file to write (mode 0600)", Required = true };
        var from = new Option<string>("--from") { Description = "The SQLite database to back up (default: KEYWAY_DATA_DIR/keyway.db)" };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists" };
        var command = new Command("backup",
            "Copy the SQLite database into one file while the gateway runs and writes: consistent, checked, readable by its owner only")
        { output, from, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(from);
            if (given is null && context.Get("KEYWAY_DATABASE_URL") is { } url)
            {
                throw new CliException(
                    $"this installation stores in PostgreSQL (KEYWAY_DATABASE_URL, {PostgresConnectionString.Describe(url)}): back it up with pg_dump "
                    + "(pg_dump --format=custom --file keyway.dump 'postgres://…', restored with pg_restore); `keyway db backup` copies a SQLite database",
                    CliExitCodes.Usage);
            }
            var source = DbCommands.ExistingSqliteDatabase(context, given);
            var target = Path.GetFullPath(parse.GetValue(output)!, context.WorkingDirectory);
            if (target == source)
            {
                throw new CliException($"--out names the database itself: {target}", CliExitCodes.Usage);
            }
            if (File.Exists(target) && !parse.GetValue(force))
            {
                throw new CliException($"{target} exists: add --force to replace it", CliExitCodes.Usage);
            }
            var started = context.Time.GetTimestamp();
            var check = await WriteAsync(source, target, parse.GetValue(force), cancellationToken);
            Report(context, parse.Json(), source, target, check, context.Time.GetElapsedTime(started));
            return CliExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Copies into a new owner-only file beside <paramref name="target"/>, checks it, then renames it to <paramref name="target"/>.</summary>
    private static async Task<SqliteBackup.Check> WriteAsync(string source, string target, bool replace, CancellationToken cancellationToken)
    {
        var copy = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var renamed = false;
        try
        {
            CreateOwnerOnly(copy);
            await SqliteBackup.CopyAsync(source, copy, cancellationToken);
            var check = await SqliteBackup.CheckAsync(copy, cancellationToken);
            if (!check.IsSound)
            {
                throw new CliException($"the copy failed PRAGMA integrity_check, so nothing was written to {target}: {check.IntegrityCheck}");
            }
            File.Move(copy, target, replace);
            renamed = true;
            return check;
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"the backup failed, nothing was written to {target}: {e.Message}");
        }
        finally
        {
            if (!renamed)
            {
                foreach (var suffix in CopySuffixes)
                {
                    File.Delete(copy + suffix);
                }
            }
        }
    }

    /// <summary>The copy holds the sealed keys: created readable by its owner only, as secret.key is, before a byte is in it.</summary>
    private static void CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        new FileStream(path, options).Dispose();
    }

    private static void Report(CliContext context, bool json, string source, string target, SqliteBackup.Check check, TimeSpan took)
    {
        var secret = context.Get("KEYWAY_SECRET") is null ? Path.Combine(context.DataDir, KeywayOptionsLoader.SecretFileName) : "set in the environment";
        var reminder = $"Restoring it needs the same KEYWAY_SECRET ({secret}), which the backup does not hold: keep a copy of the secret, stored apart from the backup.";
        var tables = check.Rows.Select(count => (JsonNode?)new JsonObject { ["table"] = count.Table, ["rows"] = count.Rows }).ToList();
        var bytes = new FileInfo(target).Length;
        var seconds = Math.Round(took.TotalSeconds, 2);
        if (json)
        {
            CliOutput.WriteJson(context, new JsonObject
            {
                ["ok"] = true,
                ["from"] = source,
                ["out"] = target,
                ["bytes"] = bytes,
                ["seconds"] = seconds,
                ["tables"] = new JsonArray([.. tables]),
                ["reminder"] = reminder,
            });
            return;
        }
        context.Out.WriteLine($"backed up {source} to {target}: {bytes:N0} bytes in {seconds:0.00} s, integrity_check ok");
        CliOutput.WriteTable(context, tables, "table", "rows");
        context.Out.WriteLine(reminder);
    }
}
