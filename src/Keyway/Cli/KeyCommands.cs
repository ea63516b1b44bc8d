using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway key list|create|show|edit|remove`: the db_sk_ keys Keyway issues. `create` prints the plaintext once.</summary>
public static class KeyCommands
{
    private static readonly string[] Columns = ["key_id", "name", "key_prefix", "enabled", "owner_user_id", "expires_at", "last_used_at"];

    public static Command Build(CliContext context)
    {
        var command = new Command("key", "Issued keys (db_sk_…) that clients use");
        command.AddGroupList(context, "keys", "List the keys of a group", Columns);

        var createName = new Argument<string>("name");
        var createGroup = CliOptions.Group();
        var createFields = Fields();
        command.Add(new Command("create", "Issue a key; its plaintext is printed this once") { createName, createGroup }.WithFields(createFields)
            .WithAdminAction(context,
                (parse, admin, ct) => admin.PostAsync(
                    $"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(createGroup))}/keys",
                    BodyField.Body(parse, createFields, new JsonObject { ["name"] = parse.GetValue(createName) }), ct),
                AdminCommand.Line(answer => $"{answer["plaintext"]}\n  key_id {answer["key"]?["key_id"]}: {answer["plaintext_note"]}")));

        command.AddShow(context, "key-id", "keys", "key", "Show one key");
        command.AddEdit(context, "key-id", "keys", "key", "Rename, disable or re-date a key", Fields());
        command.AddRemove(context, "key-id", "keys", "Revoke a key");
        return command;
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--owner", "owner_user_id", "Who the key belongs to"),
        BodyField.Text("--expires-at", "expires_at", "Expiry, ISO-8601"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
    ];
}
