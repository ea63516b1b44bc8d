using System.CommandLine;

namespace Keyway.Cli;

/// <summary>The list/show/edit/remove verbs shared by group, provider, route and key.</summary>
public static class ByIdCommands
{
    /// <summary>`list [--group G]` over /admin/llm/groups/{G}/{collection}.</summary>
    public static Command AddGroupList(this Command command, CliContext context, string collection, string description, string[] columns)
    {
        var group = CliOptions.Group();
        command.Add(new Command("list", description) { group }.WithAdminAction(context,
            (parse, admin, ct) => admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(group))}/{collection}", ct),
            AdminCommand.Table(collection, columns)));
        return command;
    }

    public static Command AddShow(this Command command, CliContext context, string argumentName, string collection, string property, string description)
    {
        var id = new Argument<string>(argumentName);
        command.Add(new Command("show", description) { id }.WithAdminAction(context,
            (parse, admin, ct) => admin.GetAsync($"admin/llm/{collection}/{AdminCommand.Segment(parse, id)}", ct), AdminCommand.Fields(property)));
        return command;
    }

    public static Command AddEdit(this Command command, CliContext context, string argumentName, string collection, string property, string description, BodyField[] fields)
    {
        var id = new Argument<string>(argumentName);
        command.Add(new Command("edit", description) { id }.WithFields(fields).WithAdminAction(context,
            (parse, admin, ct) => admin.PatchAsync($"admin/llm/{collection}/{AdminCommand.Segment(parse, id)}", BodyField.Body(parse, fields), ct),
            AdminCommand.Fields(property)));
        return command;
    }

    public static Command AddRemove(this Command command, CliContext context, string argumentName, string collection, string description)
    {
        var id = new Argument<string>(argumentName);
        command.Add(new Command("remove", description) { id }.WithAdminAction(context,
            (parse, admin, ct) => admin.DeleteAsync($"admin/llm/{collection}/{AdminCommand.Segment(parse, id)}", ct),
            AdminCommand.Line(answer => answer["message"]?.ToString() ?? "deleted")));
        return command;
    }
}
