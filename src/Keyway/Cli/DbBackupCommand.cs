using System.CommandLine;
using System.Text.Json.Nodes;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// `keyway db backup --out FILE`: a consistent copy of the SQLite database while the gateway runs (<see cref="SqliteBackup"/>),
/// renamed to FILE once checked (<see cref="CheckedSqliteCopy"/>).
/// </summary>
public static class DbBackupCommand
{
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
            var replace = parse.GetValue(force);
            if (File.Exists(target) && !replace)
            {
                throw new CliException($"{target} exists: add --force to replace it", CliExitCodes.Usage);
            }
            var started = context.Time.GetTimestamp();
            var check = await CheckedSqliteCopy.WriteAsync(source, target, copy => File.Move(copy, target, replace), cancellationToken);
            Report(context, parse.Json(), source, target, check, context.Time.GetElapsedTime(started));
            return CliExitCodes.Ok;
        });
        return command;
    }

    private static void Report(CliContext context, bool json, string source, string target, SqliteBackup.Check check, TimeSpan took)
    {
        var reminder = CheckedSqliteCopy.SecretReminder(context);
        var tables = CheckedSqliteCopy.Tables(check);
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
