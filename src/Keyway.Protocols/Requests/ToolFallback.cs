using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols;

/// <summary>A request body without the tools or schema keywords an upstream refused, and what was removed.</summary>
public sealed record ToolFallbackBody(byte[] Body, string Removed);

/// <summary>
/// The retry for an upstream that refuses a request because of its tools: tools that are not the client's own
/// functions (OpenAI's web_search, file_search, computer_use…; Anthropic's server tools such as web_search_20250305
/// or computer_20250124) are removed, and so are the <see cref="ToolSchemaKeywords"/> in the schemas of those kept.
/// The rest of the body is spliced around the new <c>tools</c> array untouched.
/// </summary>
public static class ToolFallback
{
    /// <summary>
    /// Whether an error answer blames the tools: its <c>error.message</c> or <c>error.param</c> (OpenAI and Anthropic
    /// shapes), or a string <c>error</c>, mentions a tool, a function or a schema — the seed's heuristic, plus schemas.
    /// </summary>
    public static bool IsToolError(ReadOnlySpan<byte> errorBody)
    {
        try
        {
            var root = JsonNode.Parse(errorBody);
            var error = root?["error"];
            var text = error is JsonObject details
                ? $"{TranslationJson.StringOf(details["message"])} {TranslationJson.StringOf(details["param"])}"
                : TranslationJson.StringOf(error) ?? TranslationJson.StringOf(root?["message"]) ?? "";
            return text.Contains("tool", StringComparison.OrdinalIgnoreCase)
                || text.Contains("function", StringComparison.OrdinalIgnoreCase)
                || text.Contains("schema", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex) || ex is InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The body without what can be removed, in <paramref name="upstream"/>'s shape; null when nothing can be.</summary>
    public static ToolFallbackBody? Strip(byte[] body, WireFormat upstream)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (JsonObjectMembers.ScanRoot(body) is not { } root
            || root.Get("tools") is not { Kind: JsonTokenType.StartArray } toolsMember
            || JsonNode.Parse(body.AsSpan(toolsMember.Value.Start, toolsMember.Value.End - toolsMember.Value.Start)) is not JsonArray tools)
        {
            return null;
        }
        var removedTools = new List<string>();
        var removedNames = new HashSet<string>(StringComparer.Ordinal);
        var removedKeywords = new SortedSet<string>(StringComparer.Ordinal);
        var kept = new JsonArray();
        foreach (var tool in tools.ToList())
        {
            tools.Remove(tool);
            if (IsClientFunction(tool, upstream))
            {
                ToolSchemaKeywords.Strip(SchemaOf(tool!, upstream), removedKeywords);
                kept.Add(tool);
            }
            else
            {
                var type = TranslationJson.StringOf(tool?["type"]);
                var name = TranslationJson.StringOf(tool?["name"]);
                removedTools.Add(type ?? name ?? "unnamed");
                removedNames.UnionWith(new[] { type, name }.OfType<string>());
            }
        }
        if (removedTools.Count == 0 && removedKeywords.Count == 0)
        {
            return null;
        }
        var edited = kept.Count > 0
            ? Replace(body, toolsMember.Value, Encoding.UTF8.GetBytes(TranslationJson.ToText(kept)))
            : Remove(body, "tools");
        if (kept.Count == 0 || ChoosesRemoved(edited, removedNames))
        {
            edited = Remove(edited, "tool_choice");
        }
        return new ToolFallbackBody(edited, Describe(removedTools, removedKeywords));
    }

    /// <summary>The client's own tools: Chat and Responses <c>function</c> tools, Anthropic tools without a server-tool type.</summary>
    private static bool IsClientFunction(JsonNode? tool, WireFormat upstream)
    {
        var type = TranslationJson.StringOf(tool?["type"]);
        return upstream switch
        {
            WireFormat.AnthropicMessages => tool is JsonObject && type is null or "custom",
            WireFormat.OpenAIResponses => type == "function",
            _ => type == "function" && TranslationJson.StringOf(tool?["function"]?["name"]) is not null,
        };
    }

    private static JsonNode? SchemaOf(JsonNode tool, WireFormat upstream) => upstream switch
    {
        WireFormat.AnthropicMessages => tool["input_schema"],
        WireFormat.OpenAIResponses => tool["parameters"],
        _ => tool["function"]?["parameters"],
    };

    /// <summary>A <c>tool_choice</c> object naming a removed tool by type or name.</summary>
    private static bool ChoosesRemoved(byte[] body, HashSet<string> removedNames)
    {
        if (JsonObjectMembers.ScanRoot(body)?.Get("tool_choice") is not { Kind: JsonTokenType.StartObject } choice
            || JsonObjectMembers.Scan(body, choice.Value) is not { } members)
        {
            return false;
        }
        return removedNames.Contains(members.Text(body, "type") ?? "") || removedNames.Contains(members.Text(body, "name") ?? "");
    }

    private static byte[] Replace(byte[] body, TokenSpan span, byte[] replacement)
    {
        var splices = new BodySplices();
        splices.Add(span.Start, span.End, replacement);
        return splices.ApplyTo(body);
    }

    private static byte[] Remove(byte[] body, string member) =>
        JsonObjectMembers.ScanRoot(body)?.Get(member) is { } found ? Replace(body, JsonObjectMembers.RemovalOf(body, found), []) : body;

    private static string Describe(List<string> tools, SortedSet<string> keywords)
    {
        var parts = new List<string>(2);
        if (tools.Count > 0)
        {
            parts.Add("tools: " + string.Join(", ", tools));
        }
        if (keywords.Count > 0)
        {
            parts.Add("schema keywords: " + string.Join(", ", keywords));
        }
        return string.Join("; ", parts);
    }
}
