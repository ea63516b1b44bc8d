using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway group list|show|add|edit|remove|copy`, over /admin/llm/groups.</summary>
public static class GroupCommands
{
    private static readonly string[] Columns = ["group_id", "name", "enabled", "provider_count", "route_count", "key_count", "note"];

    public static Command Build(CliContext context)
    {
        var command = new Command("group", "Groups: each has its own providers, routes and keys");
        command.Add(new Command("list", "List groups")
            .WithAdminAction(context, (_, admin, ct) => admin.GetAsync("admin/llm/groups", ct), AdminCommand.Table("groups", Columns)));

        command.AddShow(context, ItemArgument.Id("group-id"), "groups", "group", "Show one group");

        var addId = new Argument<string>("group-id");
        var addFields = Fields();
        command.Add(new Command("add", "Create a group") { addId }.WithFields(addFields).WithAdminAction(context, (parse, admin, ct) =>
        {
            var body = BodyField.Body(parse, addFields, new JsonObject { ["group_id"] = parse.GetValue(addId) });
            body["name"] ??= parse.GetValue(addId);
            return admin.PostAsync("admin/llm/groups", body, ct);
        }, AdminCommand.Fields("group")));

        command.AddEdit(context, ItemArgument.Id("group-id"), "groups", "group", "Change a group's name, note or enabled flag", Fields());
        command.AddRemove(context, ItemArgument.Id("group-id"), "groups", "Delete a group and everything in it");
        command.Add(Copy(context));
        return command;
    }

    /// <summary>
    /// `group copy G --name N [--new-group-id ID]`: POST …/copy, as the admin UI's Copy; the copy's new keys are printed
    /// this once (as `key create` prints one), `key reveal` shows them again.
    /// </summary>
    private static Command Copy(CliContext context)
    {
        var source = new Argument<string>("group-id") { Description = "The group to copy" };
        var name = new Option<string>("--name") { Description = "The copy's display name", Required = true };
        var newId = new Option<string?>("--new-group-id") { Description = "The copy's group id (default: GROUP-copy-XXXXXX)" };
        return new Command("copy", "Copy a group: providers, routes with their fallbacks, the unified model, tool providers and new keys")
        {
            source, name, newId,
        }.WithAdminAction(context, (parse, admin, ct) =>
        {
            var body = new JsonObject { ["new_name"] = parse.GetValue(name) };
            if (parse.GetValue(newId) is { } id)
            {
                body["new_group_id"] = id;
            }
            return admin.PostAsync($"admin/llm/groups/{AdminCommand.Segment(parse, source)}/copy", body, ct);
        }, (output, answer) =>
        {
            var groupId = answer["group"]?["group_id"]?.ToString();
            output.Out.WriteLine($"copied to group {groupId}");
            foreach (var key in answer["issued_keys"]?.AsArray() ?? [])
            {
                output.Out.WriteLine($"{key?["plaintext"]}\n  key {key?["name"]} ({key?["key_id"]}): {KeyCommands.PlaintextNote(key?["key_id"]?.ToString())}");
            }
        });
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--note", "note", "Free-form note"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
    ];
}
