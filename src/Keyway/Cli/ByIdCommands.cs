using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>The list/show/edit/remove verbs shared by group, provider, route and key.</summary>
public static class ByIdCommands
{
    /// <summary>`list [--group G]` over /admin/llm/groups/{G}/{collection}.</summary>
    public static Command AddGroupList(this Command command, CliContext context, string collection, string description, string[] columns) =>
        command.AddGroupList(context, collection, description, AdminCommand.Table(collection, columns));

    /// <summary>As above, the answer drawn by <paramref name="render"/>.</summary>
    public static Command AddGroupList(this Command command, CliContext context, string collection, string description, Action<CliContext, JsonNode> render)
    {
        var group = CliOptions.Group();
        command.Add(new Command("list", description) { group }.WithAdminAction(context,
            (parse, admin, ct) => admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(group))}/{collection}", ct),
            render));
        return command;
    }

    public static Command AddShow(this Command command, CliContext context, ItemArgument item, string collection, string property, string description)
    {
        command.Add(item.AddTo(new Command("show", description)).WithAdminAction(context,
            async (parse, admin, ct) => await admin.GetAsync($"admin/llm/{collection}/{await item.SegmentAsync(parse, admin, ct)}", ct),
            AdminCommand.Fields(property)));
        return command;
    }

    public static Command AddEdit(
        this Command command, CliContext context, ItemArgument item, string collection, string property, string description, BodyField[] fields)
    {
        command.Add(item.AddTo(new Command("edit", description)).WithFields(fields).WithAdminAction(context,
            async (parse, admin, ct) => await admin.PatchAsync($"admin/llm/{collection}/{await item.SegmentAsync(parse, admin, ct)}", BodyField.Body(parse, fields), ct),
            AdminCommand.Fields(property)));
        return command;
    }

    public static Command AddRemove(this Command command, CliContext context, ItemArgument item, string collection, string description)
    {
        command.Add(item.AddTo(new Command("remove", description)).WithAdminAction(context,
            async (parse, admin, ct) => await admin.DeleteAsync($"admin/llm/{collection}/{await item.SegmentAsync(parse, admin, ct)}", ct),
            AdminCommand.Line(answer => answer["message"]?.ToString() ?? "deleted")));
        return command;
    }
}
