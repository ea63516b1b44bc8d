using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway key list|create|show|reveal|edit|remove|usage`: the db_sk_ keys Keyway issues, named by key id or by name in
/// `--group`. `create` prints the plaintext, and `reveal` prints it again.
/// </summary>
public static class KeyCommands
{
    private static readonly string[] Columns =
        ["key_id", "name", "key_prefix", "state", "expires_at", "visitor", "allowed_aliases", "rpm", "tpm", "daily_token_budget", "last_used_at"];

    public static Command Build(CliContext context)
    {
        var command = new Command("key", "Issued keys (db_sk_…) that clients use");
        command.AddGroupList(context, "keys", "List the keys of a group", (output, answer) =>
        {
            var now = output.Time.GetUtcNow();
            CliOutput.WriteTable(output, (answer["keys"]?.AsArray() ?? []).OfType<JsonNode>().Select(key =>
            {
                var row = key.DeepClone();
                row["state"] = IssuedKeyState.Of(key, now);
                return row;
            }), Columns);
        });

        var createName = new Argument<string>("name");
        var createGroup = CliOptions.Group();
        var createFields = Fields();
        command.Add(new Command("create", "Issue a key and print its plaintext") { createName, createGroup }.WithFields(createFields)
            .WithAdminAction(context,
                (parse, admin, ct) => admin.PostAsync(
                    $"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(createGroup))}/keys",
                    BodyField.Body(parse, createFields, new JsonObject { ["name"] = parse.GetValue(createName) }), ct),
                AdminCommand.Line(answer => $"{answer["plaintext"]}\n  key_id {answer["key"]?["key_id"]}: {PlaintextNote(answer["key"]?["key_id"]?.ToString())}")));

        command.AddShow(context, ItemArgument.IssuedKey(), "keys", "key", "Show one key");
        var revealed = ItemArgument.IssuedKey();
        command.Add(revealed.AddTo(new Command("reveal", "Print a key's plaintext again (lists never show it)")).WithAdminAction(context,
            async (parse, admin, ct) => await admin.GetAsync($"admin/llm/keys/{await revealed.SegmentAsync(parse, admin, ct)}/plaintext", ct),
            AdminCommand.Line(answer => answer["plaintext"]?.ToString() ?? "")));
        command.AddEdit(context, ItemArgument.IssuedKey(), "keys", "key", "Rename, disable, re-date a key or change its policy", Fields());
        command.AddRemove(context, ItemArgument.IssuedKey(), "keys", "Revoke a key");
        command.Add(Usage(context));
        return command;
    }

    /// <summary>
    /// What to do with a new key's plaintext, said by the CLI and the TUI: the admin API's own note names the raw
    /// <c>GET /admin/llm/keys/{key_id}/plaintext</c>, placeholder and all.
    /// </summary>
    public static string PlaintextNote(string? keyId) => $"store this key now; `keyway key reveal {keyId}` prints it again, lists never show it.";

    /// <summary>`key usage KEY [--from DAY --to DAY]`: requests, errors, tokens and remaining budget of today, this month and the range.</summary>
    private static Command Usage(CliContext context)
    {
        var key = ItemArgument.IssuedKey();
        var from = new Option<string?>("--from") { Description = "First UTC day of a range, yyyy-MM-dd (with --to)" };
        var to = new Option<string?>("--to") { Description = "Last UTC day of the range, yyyy-MM-dd" };
        return key.AddTo(new Command("usage", "A key's usage and remaining budgets") { from, to }).WithAdminAction(context,
            async (parse, admin, ct) => await admin.GetAsync(
                $"admin/llm/keys/{await key.SegmentAsync(parse, admin, ct)}/usage" + LogCommands.Query(("from", parse.GetValue(from)), ("to", parse.GetValue(to))), ct),
            (output, usage) =>
            {
                var periods = new JsonArray();
                foreach (var name in (string[])["today", "month", "range"])
                {
                    if (usage[name] is JsonObject period)
                    {
                        var row = (JsonObject)period.DeepClone();
                        row["period"] = name;
                        periods.Add((JsonNode)row);
                    }
                }
                CliOutput.WriteTable(output, periods,
                    "period", "from", "to", "requests", "errors", "input_tokens", "output_tokens", "total_tokens", "token_budget", "remaining_tokens", "resets_at");
            });
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--owner", "owner_user_id", "Who the key belongs to"),
        BodyField.Text("--expires-at", "expires_at", "Expiry, ISO-8601"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
        BodyField.List("--allowed-aliases", "allowed_aliases", "Comma-separated aliases or globs the key may call (e.g. chat,deepseek-*); \"\" allows all"),
        BodyField.Limit("--rpm", "rpm", "Requests per minute"),
        BodyField.Limit("--tpm", "tpm", "Tokens per minute"),
        BodyField.Limit("--max-concurrency", "max_concurrency", "Requests in flight at once"),
        BodyField.Limit("--daily-token-budget", "daily_token_budget", "Input + output tokens per UTC day"),
        BodyField.Limit("--monthly-token-budget", "monthly_token_budget", "Input + output tokens per UTC month"),
        BodyField.Flag("--visitor", "visitor", "true: served only by upstream keys and routes that allow visitors"),
    ];
}
