using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway tool-provider list|show|add|edit|remove|test`, over /admin/llm/groups/{g}/tool-providers and
/// /admin/llm/tool-providers/{id}: the web search providers (Tavily) of a group. Their API key is never shown.
/// </summary>
public static class ToolProviderCommands
{
    private static readonly string[] Columns = ["tool_id", "name", "kind", "enabled", "api_key_set", "search_count", "search_failures", "last_search_at"];

    public static Command Build(CliContext context)
    {
        var command = new Command("tool-provider", "Tool providers of a group: the web search (Tavily) that web_search uses");
        command.AddGroupList(context, "tool-providers", "List the tool providers of a group", AdminCommand.Table("tool_providers", Columns));

        command.AddShow(context, ItemArgument.Id("tool-id"), "tool-providers", "tool_provider", "Show one tool provider");

        var addId = new Argument<string>("tool-id");
        var addGroup = CliOptions.Group();
        var addFields = Fields();
        command.Add(new Command("add", "Create a tool provider") { addId, addGroup }.WithFields(addFields).WithAdminAction(context, (parse, admin, ct) =>
        {
            var body = BodyField.Body(parse, addFields, new JsonObject { ["tool_id"] = parse.GetValue(addId) });
            body["name"] ??= parse.GetValue(addId);
            return admin.PostAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(addGroup))}/tool-providers", body, ct);
        }, AdminCommand.Fields("tool_provider")));

        command.AddEdit(context, ItemArgument.Id("tool-id"), "tool-providers", "tool_provider", "Change a tool provider; --api-key replaces its key", Fields());
        command.AddRemove(context, ItemArgument.Id("tool-id"), "tool-providers", "Delete a tool provider");

        var tested = ItemArgument.Id("tool-id");
        command.Add(tested.AddTo(new Command("test", "One real search with the tool provider's key; exit 1 when it fails")).WithAdminAction(context,
            async (parse, admin, ct) => await admin.PostAsync($"admin/llm/tool-providers/{await tested.SegmentAsync(parse, admin, ct)}/test", new JsonObject(), ct),
            AdminCommand.TestLine, AdminCommand.TestPassed));
        return command;
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--kind", "kind", "tavily (the default)"),
        BodyField.Text("--api-key", "api_key", "The tool's API key (stored sealed, never shown)"),
        BodyField.Text("--config", "config", "A JSON object, e.g. {\"base_url\":\"https://api.tavily.com\"}"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
    ];
}
