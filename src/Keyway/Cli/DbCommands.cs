using System.CommandLine;
using System.Data.Common;
using System.Text.Json.Nodes;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// `keyway db migrate-to-postgres --from ./data/keyway.db --to postgres://…`: moves a SQLite installation to PostgreSQL for
/// scale-out. `db backup` and `db restore` are <see cref="DbBackupCommand"/> and <see cref="DbRestoreCommand"/>.
/// </summary>
public static class DbCommands
{
    public static Command Build(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "The SQLite database to copy (default: KEYWAY_DATA_DIR/keyway.db)" };
        var to = new Option<string>("--to") { Description = "The PostgreSQL database (postgres:// URL or Npgsql key=value; default: KEYWAY_DATABASE_URL)" };
        var migrate = new Command("migrate-to-postgres",
            "Copy configuration, keys, key state, usage, request logs, stored responses and admin sessions from SQLite to PostgreSQL; a second run copies nothing twice")
        { from, to };
        migrate.SetAction(async (parse, cancellationToken) =>
        {
            var source = ExistingSqliteDatabase(context, parse.GetValue(from));
            var url = parse.GetValue(to) ?? context.Get("KEYWAY_DATABASE_URL")
                ?? throw new CliException("name the PostgreSQL database with --to or KEYWAY_DATABASE_URL", CliExitCodes.Usage);
            var report = await CopyAsync(source, url, cancellationToken);
            var rows = report.Copied.Select(count => (JsonNode?)new JsonObject
            {
                ["table"] = count.Table,
                ["rows"] = count.SourceRows,
                ["copied"] = count.Copied,
                ["already_there"] = count.SourceRows - count.Copied,
            }).ToList();
            var skipped = report.Skipped.Select(table => (JsonNode?)new JsonObject
            {
                ["table"] = table.Table,
                ["rows"] = table.Rows,
                ["reason"] = table.Reason,
            }).ToList();
            if (parse.Json())
            {
                CliOutput.WriteJson(context, new JsonObject
                {
                    ["ok"] = true,
                    ["to"] = PostgresConnectionString.Describe(url),
                    ["tables"] = new JsonArray([.. rows]),
                    ["skipped"] = new JsonArray([.. skipped]),
                });
            }
            else
            {
                context.Out.WriteLine($"copied {source} to {PostgresConnectionString.Describe(url)}");
                CliOutput.WriteTable(context, rows, "table", "rows", "copied", "already_there");
                foreach (var table in report.Skipped)
                {
                    context.Out.WriteLine($"skipped {table.Table} ({table.Rows} rows): {table.Reason}");
                }
            }
            return CliExitCodes.Ok;
        });
        return new Command("db", "Database maintenance") { migrate, DbBackupCommand.Build(context), DbRestoreCommand.Build(context) };
    }

    /// <summary>The SQLite database a command reads: <paramref name="from"/>, else the data dir's keyway.db; it must exist.</summary>
    public static string ExistingSqliteDatabase(CliContext context, string? from)
    {
        var source = Path.GetFullPath(from ?? DataDirDatabase(context), context.WorkingDirectory);
        return File.Exists(source) ? source : throw new CliException($"no such file: {source}", CliExitCodes.Usage);
    }

    /// <summary>The SQLite database the gateway of this data dir uses.</summary>
    public static string DataDirDatabase(CliContext context) => Path.Combine(context.DataDir, "keyway.db");

    private static async Task<DatabaseCopier.CopyReport> CopyAsync(string source, string url, CancellationToken cancellationToken)
    {
        PostgresConnectionFactory target;
        try
        {
            target = new PostgresConnectionFactory(url);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--to is not a PostgreSQL URL or connection string: {e.Message}", CliExitCodes.Usage);
        }
        await using (target)
        {
            try
            {
                return await new DatabaseCopier(new SqliteConnectionFactory(source), target).CopyAsync(cancellationToken);
            }
            catch (Exception e) when (e is DbException or SchemaTooNewException)
            {
                throw new CliException($"copying failed, nothing of the failed table was written: {e.Message}");
            }
        }
    }
}
