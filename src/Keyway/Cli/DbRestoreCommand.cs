using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway db restore FILE --force`: puts a backup in place of the data dir's keyway.db while no gateway of the data dir
/// runs (one would go on writing to the replaced file through its open connections and WAL). It holds the data dir's
/// <see cref="DataDirLock"/> meanwhile, so no gateway starts on the file while it is replaced.
/// </summary>
public static class DbRestoreCommand
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The backup to restore (a file `keyway db backup` wrote)" };
        var force = new Option<bool>("--force") { Description = "Replace the data dir's database if there is one" };
        var command = new Command("restore",
            "Replace KEYWAY_DATA_DIR/keyway.db with a backup, checked first; refused while a gateway of the data dir runs")
        { file, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (context.Get("KEYWAY_DATABASE_URL") is not null)
            {
                throw new CliException("this installation stores in PostgreSQL (KEYWAY_DATABASE_URL): restore a pg_dump with pg_restore", CliExitCodes.Usage);
            }
            var backup = DbCommands.ExistingSqliteDatabase(context, parse.GetValue(file));
            var target = DbCommands.DataDirDatabase(context);
            Directory.CreateDirectory(context.DataDir);
            // The lock finds a gateway whose keyway.pid another process deleted; keyway.pid one of a version before the lock.
            using var dataDirLock = DataDirLock.Take(context.DataDir, "run `keyway db restore` again");
            if (dataDirLock is null || ServerStateFile.ReadLive(context.DataDir) is not null)
            {
                throw new CliException($"a gateway runs for {context.DataDir} ({DataDirLock.Holder(context.DataDir)}): stop it first (`keyway stop`), then restore");
            }
            if (File.Exists(target) && !parse.GetValue(force))
            {
                throw new CliException($"{target} exists: add --force to replace it with the backup", CliExitCodes.Usage);
            }
            var check = await CheckedSqliteCopy.WriteAsync(backup, target, copy =>
            {
                // A journal or WAL left by the replaced database would be applied to the restored one on its first open.
                CheckedSqliteCopy.DeleteCompanions(target);
                File.Move(copy, target, overwrite: true);
            }, cancellationToken);
            var tables = CheckedSqliteCopy.Tables(check);
            if (parse.Json())
            {
                CliOutput.WriteJson(context, new JsonObject { ["ok"] = true, ["from"] = backup, ["to"] = target, ["tables"] = new JsonArray([.. tables]) });
                return CliExitCodes.Ok;
            }
            context.Out.WriteLine($"restored {backup} to {target}, integrity_check ok");
            CliOutput.WriteTable(context, tables, "table", "rows");
            context.Out.WriteLine(CheckedSqliteCopy.RestoredSecretReminder(context));
            return CliExitCodes.Ok;
        });
        return command;
    }
}
