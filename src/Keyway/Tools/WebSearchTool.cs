using System.Text;
using System.Text.Json;
using Keyway.Protocols.Translation;

namespace Keyway.Tools;

/// <summary>
/// The <c>tavily_search</c> function tool and its injection into an upstream-bound body. The tool is added by
/// splicing bytes (into the body's <c>tools</c> array, or as a new last member) so every other byte the client
/// sent reaches the upstream unchanged.
/// </summary>
internal static class WebSearchTool
{
    public const string Name = "tavily_search";
    public const string OptOutHeader = "x-keyway-web-search";
    public const int DefaultMaxResults = 5;
    public const int MaxMaxResults = 20;

    private const string Description =
        "Search the web for current information using Tavily. Returns a list of relevant results with title, url, and content snippets.";
    private const string Schema =
        """{"type":"object","properties":{"query":{"type":"string","description":"The search query"},"max_results":{"type":"integer","description":"How many results to return","minimum":1,"maximum":20,"default":5}},"required":["query"]}""";

    private static readonly byte[] ChatTool = Encoding.UTF8.GetBytes(
        $$$"""{"type":"function","function":{"name":"{{{Name}}}","description":"{{{Description}}}","parameters":{{{Schema}}}}}""");
    private static readonly byte[] AnthropicTool = Encoding.UTF8.GetBytes(
        $$$"""{"name":"{{{Name}}}","description":"{{{Description}}}","input_schema":{{{Schema}}}}""");
    private static readonly byte[] ResponsesTool = Encoding.UTF8.GetBytes(
        $$$"""{"type":"function","name":"{{{Name}}}","description":"{{{Description}}}","parameters":{{{Schema}}}}""");

    /// <summary>The client turned web search off for this request.</summary>
    public static bool OptedOut(IHeaderDictionary headers) =>
        string.Equals(headers[OptOutHeader].ToString().Trim(), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The body with <c>tavily_search</c> added in <paramref name="upstream"/>'s shape, or null when it must stay as
    /// it is: the client already has a tool of that name, <c>tool_choice</c> is none, or the body is not an object.
    /// </summary>
    public static byte[]? Inject(byte[] body, WireFormat upstream)
    {
        if (!TryLocate(body, out var location) || location.HasOwnTool || location.ToolChoiceNone)
        {
            return null;
        }
        var tool = upstream switch
        {
            WireFormat.AnthropicMessages => AnthropicTool,
            WireFormat.OpenAIResponses => ResponsesTool,
            _ => ChatTool,
        };
        byte[] insert = location.ToolsEnd is { } toolsEnd
            ? [.. (location.ToolsEmpty ? ""u8 : ","u8), .. tool]
            : [.. ","u8, .. "\"tools\":["u8, .. tool, .. "]"u8];
        var at = location.ToolsEnd ?? location.RootEnd;
        return [.. body.AsSpan(0, at), .. insert, .. body.AsSpan(at)];
    }

    /// <summary>Where the root's <c>tools</c> array ends (its <c>]</c>) or, without one, where the root object ends.</summary>
    private readonly record struct BodyLocation(int RootEnd, int? ToolsEnd, bool ToolsEmpty, bool HasOwnTool, bool ToolChoiceNone);

    private static bool TryLocate(byte[] body, out BodyLocation location)
    {
        location = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            // A "tools" that is not an array (null, say) would need a second "tools" member: the body is left alone.
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            JsonElement? tools = root.TryGetProperty("tools", out var t) ? t : null;
            if (tools is { ValueKind: not JsonValueKind.Array })
            {
                return false;
            }
            var hasOwn = tools?.EnumerateArray().Any(tool => ToolName(tool) == Name) ?? false;
            var choiceNone = root.TryGetProperty("tool_choice", out var choice) && IsNone(choice);
            var (rootEnd, toolsEnd) = Ends(body, tools is not null);
            location = new BodyLocation(rootEnd, toolsEnd, tools?.GetArrayLength() == 0, hasOwn, choiceNone);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The byte offsets of the root object's closing brace and of its <c>tools</c> array's closing bracket.</summary>
    private static (int RootEnd, int? ToolsEnd) Ends(byte[] body, bool hasTools)
    {
        var reader = new Utf8JsonReader(body);
        int? toolsEnd = null;
        var rootEnd = 0;
        while (reader.Read())
        {
            if (hasTools && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("tools"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    reader.Skip();
                    toolsEnd = (int)reader.TokenStartIndex;
                }
            }
            else if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                rootEnd = (int)reader.TokenStartIndex;
            }
        }
        return (rootEnd, toolsEnd);
    }

    /// <summary>A chat tool's <c>function.name</c>, or an Anthropic / Responses tool's <c>name</c>.</summary>
    private static string? ToolName(JsonElement tool)
    {
        if (tool.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (tool.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var functionName) && functionName.ValueKind == JsonValueKind.String)
        {
            return functionName.GetString();
        }
        return tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
    }

    /// <summary>Chat's <c>"none"</c> or Anthropic's <c>{"type":"none"}</c>.</summary>
    private static bool IsNone(JsonElement choice) => choice.ValueKind switch
    {
        JsonValueKind.String => choice.ValueEquals("none"),
        JsonValueKind.Object => choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("none"),
        _ => false,
    };
}
