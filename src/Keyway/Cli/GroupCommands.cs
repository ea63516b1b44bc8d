using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway group list|show|add|edit|remove`, over /admin/llm/groups.</summary>
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
        return command;
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--note", "note", "Free-form note"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
    ];
}
