using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Connect;

/// <summary>
/// What a client needs to reach Keyway: the gateway's base URL, an issued key and the model aliases. A missing key is
/// the usable one an earlier connect issued to this client on this machine, else issued now (named after the client);
/// a missing model is the group's unified model while its route is enabled, else its first enabled route. A key issued is said on stderr, by name and id
/// with how to revoke it, never by its plaintext: `connect env`'s stdout is eval'd, and a key issued unseen is one
/// nobody revokes.
/// </summary>
public sealed record ConnectTarget(string BaseUrl, string Key, bool KeyIssued, string Model, string SmallModel)
{
    public sealed record Options(Option<string> Group, Option<string?> Key, Option<string?> Model, Option<string?> SmallModel)
    {
        public static Options Create() => new(
            CliOptions.Group(),
            new Option<string?>("--key") { Description = "A db_sk_ key to use (default: issue a new one)" },
            new Option<string?>("--model") { Description = "Route alias for the main model (default: the unified model, else the first enabled route)" },
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

    public static async Task<ConnectTarget> ResolveAsync(
        CliContext context, AdminClient admin, ParseResult parse, Options options, string clientName, CancellationToken cancellationToken)
    {
        var group = Uri.EscapeDataString(parse.GetRequiredValue(options.Group));
        var model = parse.GetValue(options.Model) ?? await DefaultModelAsync(admin, group, cancellationToken);
        var key = parse.GetValue(options.Key);
        var issued = false;
        if (key is null)
        {
            var name = $"{clientName} ({Environment.MachineName})";
            key = await UsableKeyNamedAsync(admin, group, name, cancellationToken);
            if (key is null)
            {
                var created = await admin.PostAsync($"admin/llm/groups/{group}/keys", new JsonObject { ["name"] = name }, cancellationToken);
                key = created["plaintext"]!.GetValue<string>();
                issued = true;
                var keyId = created["key"]!["key_id"]!.ToString();
                context.Error.WriteLine($"issued key '{name}' ({keyId}) for this client; revoke it with: keyway key remove {keyId}");
            }
        }
        return new ConnectTarget(admin.BaseUrl.ToString().TrimEnd('/'), key, issued, model, parse.GetValue(options.SmallModel) ?? model);
    }

    /// <summary>
    /// The plaintext of the group's enabled, unexpired key that an earlier connect issued to this client on this machine,
    /// so running connect again reuses it instead of issuing one more key each time.
    /// </summary>
    private static async Task<string?> UsableKeyNamedAsync(AdminClient admin, string group, string name, CancellationToken cancellationToken)
    {
        var keys = (await admin.GetAsync($"admin/llm/groups/{group}/keys", cancellationToken))["keys"]?.AsArray() ?? [];
        var usable = keys.OfType<JsonObject>().FirstOrDefault(key =>
            key["name"]?.ToString() == name
            && key["enabled"]?.GetValue<bool>() == true
            && (key["expires_at"] is not JsonValue expiry || DateTimeOffset.Parse(expiry.ToString(), CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow));
        return usable is null
            ? null
            : (await admin.GetAsync($"admin/llm/keys/{Uri.EscapeDataString(usable["key_id"]!.ToString())}/plaintext", cancellationToken))["plaintext"]?.ToString();
    }

    private static async Task<string> DefaultModelAsync(AdminClient admin, string group, CancellationToken cancellationToken)
    {
        var unified = (await admin.GetAsync($"admin/llm/groups/{group}/unified", cancellationToken))["unified"];
        var routes = (await admin.GetAsync($"admin/llm/groups/{group}/routes", cancellationToken))["routes"]?.AsArray() ?? [];
        var enabled = routes.Where(r => r?["enabled"]?.GetValue<bool>() == true).ToList();
        // The unified model follows its route: while that is disabled the gateway refuses the unified name as well.
        if (unified?["alias"]?.ToString() is { } alias && enabled.Any(r => r?["route_id"]?.ToString() == unified["route_id"]?.ToString()))
        {
            return alias;
        }
        return enabled.FirstOrDefault()?["alias"]?.ToString()
            ?? throw new CliException($"group '{Uri.UnescapeDataString(group)}' has no enabled route: add one, or pass --model");
    }
}
