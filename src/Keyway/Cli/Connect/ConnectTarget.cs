using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Connect;

/// <summary>
/// What a client needs to reach Keyway: the gateway's base URL, an issued key and the model aliases. A missing key is
/// issued now (named after the client); a missing model is the group's unified model, else its first route.
/// </summary>
public sealed record ConnectTarget(string BaseUrl, string Key, bool KeyIssued, string Model, string SmallModel)
{
    public sealed record Options(Option<string> Group, Option<string?> Key, Option<string?> Model, Option<string?> SmallModel)
    {
        public static Options Create() => new(
            CliOptions.Group(),
            new Option<string?>("--key") { Description = "A db_sk_ key to use (default: issue a new one)" },
            new Option<string?>("--model") { Description = "Route alias for the main model (default: the unified model, else the first route)" },
            new Option<string?>("--small-model") { Description = "Route alias for small/fast tasks (default: --model)" });

        public Command AddTo(Command command)
        {
            command.Add(Group);
            command.Add(Key);
            command.Add(Model);
            command.Add(SmallModel);
            return command;
        }
    }

    public static async Task<ConnectTarget> ResolveAsync(AdminClient admin, ParseResult parse, Options options, string clientName, CancellationToken cancellationToken)
    {
        var group = Uri.EscapeDataString(parse.GetRequiredValue(options.Group));
        var model = parse.GetValue(options.Model) ?? await DefaultModelAsync(admin, group, cancellationToken);
        var key = parse.GetValue(options.Key);
        var issued = key is null;
        if (key is null)
        {
            var created = await admin.PostAsync($"admin/llm/groups/{group}/keys", new JsonObject { ["name"] = $"{clientName} ({Environment.MachineName})" }, cancellationToken);
            key = created["plaintext"]!.GetValue<string>();
        }
        return new ConnectTarget(admin.BaseUrl.ToString().TrimEnd('/'), key, issued, model, parse.GetValue(options.SmallModel) ?? model);
    }

    private static async Task<string> DefaultModelAsync(AdminClient admin, string group, CancellationToken cancellationToken)
    {
        if ((await admin.GetAsync($"admin/llm/groups/{group}/unified", cancellationToken))["unified"]?["alias"]?.ToString() is { } unified)
        {
            return unified;
        }
        var routes = (await admin.GetAsync($"admin/llm/groups/{group}/routes", cancellationToken))["routes"]?.AsArray() ?? [];
        return routes.FirstOrDefault(r => r?["enabled"]?.GetValue<bool>() == true)?["alias"]?.ToString()
            ?? throw new CliException($"group '{Uri.UnescapeDataString(group)}' has no enabled route: add one, or pass --model");
    }
}
