using System.CommandLine;
using Keyway.Cli.Declarative;

namespace Keyway.Cli.Import;

/// <summary>
/// `keyway import keyway-db PATH --secret S` and `keyway import amkr PATH`: both read the other tool's configuration into a
/// declarative document and apply it like `keyway apply` (idempotent, `--dry-run` plans), reporting what was skipped.
/// </summary>
public static class ImportCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("import", "Migrate the configuration of another gateway");

        var dbPath = new Argument<string>("path") { Description = "The Python Keyway's SQLite database (keyway.db)" };
        var secret = new Option<string>("--secret") { Description = "That installation's KEYWAY_SECRET (its Fernet key is SHA-256 of it)", Required = true };
        var dbDryRun = DryRun();
        var keywayDb = new Command("keyway-db", "Import a Python Keyway database: groups, providers, routes with fallbacks, keys, tool providers") { dbPath, secret, dbDryRun };
        keywayDb.SetAction((parse, cancellationToken) =>
        {
            var (document, skipped) = KeywayDatabaseReader.Read(Existing(context, parse.GetRequiredValue(dbPath)), new Fernet(parse.GetRequiredValue(secret)));
            return DeclarativeCommands.ApplyDocumentAsync(context, parse, document, parse.GetValue(dbDryRun), prune: false, skipped, cancellationToken);
        });
        command.Add(keywayDb);

        var configPath = new Argument<string>("path") { Description = "AMKR's router-config.json" };
        var group = CliOptions.Group();
        var amkrDryRun = DryRun();
        var amkr = new Command("amkr", "Import an auto-model-key-router router-config.json into a group") { configPath, group, amkrDryRun };
        amkr.SetAction(async (parse, cancellationToken) =>
        {
            var json = await File.ReadAllTextAsync(Existing(context, parse.GetRequiredValue(configPath)), cancellationToken);
            var (document, skipped) = AmkrConfigReader.Read(json, parse.GetRequiredValue(group));
            return await DeclarativeCommands.ApplyDocumentAsync(context, parse, document, parse.GetValue(amkrDryRun), prune: false, skipped, cancellationToken);
        });
        command.Add(amkr);
        return command;
    }

    private static Option<bool> DryRun() => new("--dry-run") { Description = "Print what would be imported, change nothing" };

    private static string Existing(CliContext context, string path)
    {
        var full = Path.GetFullPath(path, context.WorkingDirectory);
        return File.Exists(full) ? full : throw new CliException($"no such file: {full}", CliExitCodes.Usage);
    }
}
