using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keyway.Cli.Declarative;

/// <summary>`keyway apply FILE.yaml [--dry-run] [--prune]` and `keyway export [--with-secrets] [--group G] [--out FILE]`.</summary>
public static partial class DeclarativeCommands
{
    public static Command Apply(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The YAML file (as `keyway export` writes it)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan, change nothing" };
        var prune = new Option<bool>("--prune") { Description = "Also delete providers, tool providers, routes and keys the file does not list" };
        var command = new Command("apply", "Make the gateway match a declarative YAML file (idempotent)") { file, dryRun, prune };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = Path.GetFullPath(parse.GetRequiredValue(file), context.WorkingDirectory);
            if (!File.Exists(path))
            {
                throw new CliException($"no such file: {path}", CliExitCodes.Usage);
            }
            var document = ExpandVariables(YamlJson.Parse(await File.ReadAllTextAsync(path, cancellationToken)), context)
                ?? throw new CliException($"{path} is empty", CliExitCodes.Usage);
            DeclaredFileCheck.Refuse(document);
            return await ApplyDocumentAsync(context, parse, document, parse.GetValue(dryRun), parse.GetValue(prune), [], cancellationToken);
        });
        return command;
    }

    /// <summary>Plans <paramref name="document"/> against the gateway, runs the plan unless dry, and reports it (imports add what they skipped).</summary>
    public static async Task<int> ApplyDocumentAsync(
        CliContext context, ParseResult parse, JsonNode document, bool dryRun, bool prune, IReadOnlyList<string> skipped, CancellationToken cancellationToken)
    {
        using var admin = AdminCommand.Connect(context, parse);
        var plan = await new ConfigPlanner(admin, prune).PlanAsync(document, cancellationToken);
        var notes = new List<string>();
        if (dryRun && plan.Select(change => change.Refusal).OfType<string>().ToList() is { Count: > 0 } refusals)
        {
            // Exit 1, as the real apply's first refusal: the gateway would refuse these, and that apply stop halfway.
            throw new CliException($"the gateway would refuse: {string.Join("; ", refusals)}");
        }
        if (!dryRun)
        {
            foreach (var change in plan)
            {
                if (await change.RunAsync(admin, cancellationToken) is { } note)
                {
                    notes.Add(note);
                }
            }
        }
        if (parse.Json())
        {
            CliOutput.WriteJson(context, new JsonObject
            {
                ["applied"] = !dryRun,
                ["changes"] = new JsonArray([.. plan.Select(c => (JsonNode?)c.ToString())]),
                ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode?)n)]),
                ["skipped"] = new JsonArray([.. skipped.Select(n => (JsonNode?)n)]),
            });
            return CliExitCodes.Ok;
        }
        plan.ForEach(change => context.Out.WriteLine(change.ToString()));
        notes.ForEach(context.Out.WriteLine);
        foreach (var reason in skipped)
        {
            context.Out.WriteLine($"skipped: {reason}");
        }
        context.Out.WriteLine(plan.Count == 0 ? "no changes: the gateway matches the file"
            : dryRun ? $"{plan.Count} change(s) planned; run without --dry-run to apply" : $"{plan.Count} change(s) applied");
        return CliExitCodes.Ok;
    }

    public static Command Export(CliContext context)
    {
        var withSecrets = new Option<bool>("--with-secrets") { Description = "Write upstream keys in full (default: masked; apply then keeps the gateway's keys)" };
        var group = new Option<string?>("--group", "-g") { Description = "Only this group" };
        var output = new Option<string?>("--out", "-o") { Description = "Write to this file (mode 0600) instead of stdout" };
        var command = new Command("export", "Print the gateway's configuration as YAML for `keyway apply`") { withSecrets, group, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var document = await new ConfigExporter(admin, parse.GetValue(withSecrets)).ExportAsync(parse.GetValue(group), cancellationToken);
            var text = parse.Json() ? CliOutput.IndentedJson(document) + "\n" : YamlJson.Write(document);
            if (parse.GetValue(output) is { } path)
            {
                Connect.FileEdit.Write(Path.GetFullPath(path, context.WorkingDirectory), text, privateFile: true);
            }
            else
            {
                await context.Out.WriteAsync(text);
            }
            return CliExitCodes.Ok;
        });
        return command;
    }

    /// <summary>${NAME} in any string becomes the environment variable NAME, so a checked-in file need not hold secrets.</summary>
    private static JsonNode? ExpandVariables(JsonNode? node, CliContext context) => node switch
    {
        JsonObject item => new JsonObject(item.Select(pair => KeyValuePair.Create(pair.Key, ExpandVariables(pair.Value, context)))),
        JsonArray list => new JsonArray([.. list.Select(child => ExpandVariables(child, context))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(Variable().Replace(text, match =>
            context.Get(match.Groups[1].Value) ?? throw new CliException($"${{{match.Groups[1].Value}}} is not set", CliExitCodes.Usage))),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}
