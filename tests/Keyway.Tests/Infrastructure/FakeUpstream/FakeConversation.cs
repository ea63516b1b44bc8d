using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>A tool the request offers: its name and JSON schema (undefined when it has none).</summary>
internal sealed record FakeTool(string Name, JsonElement Schema);

/// <summary>
/// The last message of the conversation, reduced to what the fake's decision needs; <paramref name="TurnText"/> is every
/// text of the caller's last turn when that holds more than the message (a tool result and a prompt beside it).
/// </summary>
internal sealed record FakeLastMessage(string Text, bool IsToolResult, string? TurnText = null)
{
    public string Turn => TurnText ?? Text;
}

/// <summary>What the fake answers: text, or a call of one tool with JSON arguments.</summary>
internal sealed record FakeAnswer(string Text, string? ToolName, string ToolArguments)
{
    public bool IsToolCall => ToolName is not null;
}

/// <summary>
/// The fake's whole "model", identical for every protocol:
/// 0. the last turn asks for the answer in <c>&lt;summary&gt;</c> tags (Claude Code's compaction prompt, also beside a
///    tool result) → answer <see cref="ReplyText"/> inside them: Claude Code 2.1.3xx asks again when they are missing;
/// 1. the last message is a tool result → answer <see cref="ToolResultReplyText"/> (default text + the result);
/// 2. tools are offered, the reply is not scripted <see cref="FakeReply.InTextOnly"/> and the last message contains
///    <see cref="ToolTrigger"/> → call a tool: the one named right
///    after the trigger ("use the tool Read") when offered, else the first; its arguments fill every required
///    property of the schema with a placeholder of the right type;
/// 3. otherwise → answer <see cref="ReplyText"/>.
/// </summary>
internal static class FakeConversation
{
    public const string ToolTrigger = "use the tool";
    public const string ArgumentPlaceholder = "fake-upstream";
    private const string SummaryTag = "<summary>";

    public static string ReplyText(string model) => $"Hello from fake upstream (model={model}) — ünïcødé ✓";

    public static string ToolResultReplyText(string model, string toolResult) => $"{ReplyText(model)} Tool result: {toolResult}";

    public static FakeAnswer Decide(FakeExchange exchange, IReadOnlyList<FakeTool> tools, FakeLastMessage last)
    {
        var model = exchange.Model;
        if (last.Turn.Contains(SummaryTag, StringComparison.Ordinal))
        {
            return Text($"{SummaryTag}{ReplyText(model)}</summary>");
        }
        if (last.IsToolResult)
        {
            return Text(ToolResultReplyText(model, last.Text));
        }
        var triggerAt = last.Text.IndexOf(ToolTrigger, StringComparison.OrdinalIgnoreCase);
        if (tools.Count == 0 || exchange.TextOnly || triggerAt < 0)
        {
            return Text(ReplyText(model));
        }
        var tool = Named(tools, last.Text[(triggerAt + ToolTrigger.Length)..]) ?? tools[0];
        return new FakeAnswer("", tool.Name, FakeJson.Serialize(Arguments(tool.Schema)));
    }

    private static FakeAnswer Text(string text) => new(text, null, "");

    private static FakeTool? Named(IReadOnlyList<FakeTool> tools, string afterTrigger)
    {
        var words = afterTrigger.Split([' ', '\t', '\n', '.', ',', '"', '\''], StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? null : tools.FirstOrDefault(tool => tool.Name == words[0]);
    }

    private static JsonObject Arguments(JsonElement schema)
    {
        var arguments = new JsonObject();
        var properties = FakeJson.Property(schema, "properties");
        foreach (var required in FakeJson.Array(schema, "required"))
        {
            var name = required.GetString() ?? "";
            arguments[name] = Placeholder(FakeJson.String(FakeJson.Property(properties, name), "type"));
        }
        return arguments;
    }

    private static JsonNode Placeholder(string? type) => type switch
    {
        "integer" or "number" => 1,
        "boolean" => true,
        "array" => new JsonArray(),
        "object" => new JsonObject(),
        _ => ArgumentPlaceholder,
    };
}
