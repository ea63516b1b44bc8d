using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Chat function <c>tools</c> and <c>tool_choice</c> as Anthropic tools (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).</summary>
internal static class ChatToolsToAnthropic
{
    /// <summary>Function tools; other Chat tool types (custom) have no Anthropic counterpart and are dropped.</summary>
    public static List<AnthropicTool>? Tools(List<ChatTool>? tools)
    {
        var converted = new List<AnthropicTool>();
        foreach (var tool in tools ?? [])
        {
            if (tool.Type != "function" || tool.Function is null)
            {
                continue;
            }

            if (string.IsNullOrEmpty(tool.Function.Name))
            {
                throw new TranslationException("Every function tool needs a name.");
            }

            converted.Add(new AnthropicTool
            {
                Name = tool.Function.Name,
                Description = tool.Function.Description,
                InputSchema = tool.Function.Parameters ?? RawJsonValue.EmptyObjectSchema,
                Strict = tool.Function.Strict,
            });
        }

        return converted.Count == 0 ? null : converted;
    }

    /// <summary>
    /// The tools of a request that has none of its own while its history holds tool calls or results: Anthropic refuses
    /// those blocks without tools ("Requests which include `tool_use` or `tool_result` blocks must define tools."). Clients
    /// do send such a request, having taken the tools away for a summary or a compaction; LiteLLM adds a placeholder tool
    /// for it (<c>modify_params</c>). So does Keyway, with <c>tool_choice:none</c>, since a Chat request without tools is
    /// answered without a tool call; null for a history without tool blocks.
    /// </summary>
    public static (List<AnthropicTool>? Tools, AnthropicToolChoice? Choice) ForToolHistory(List<AnthropicMessage> messages) =>
        messages.Exists(message => message.Content!.Exists(block => block.Type is "tool_use" or "tool_result"))
            ? ([HistoryOnlyTool], new AnthropicToolChoice { Type = "none" })
            : (null, null);

    private static AnthropicTool HistoryOnlyTool => new()
    {
        Name = "no_tool_available",
        Description = RawJsonString.Of("The tools of the earlier turns are not available in this request; none can be called."),
        InputSchema = RawJsonValue.EmptyObjectSchema,
    };

    /// <summary>"auto" → auto, "required" → any, "none" → none, a named function → tool; parallel_tool_calls:false → disable_parallel_tool_use.</summary>
    public static AnthropicToolChoice? ToolChoice(JsonNode? choice, bool? parallelToolCalls)
    {
        var disableParallel = parallelToolCalls == false ? true : (bool?)null;
        var (type, name) = choice switch
        {
            null => ("auto", null),
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>() switch
            {
                "auto" => ("auto", null),
                "required" => ("any", null),
                "none" => ("none", (string?)null),
                var other => throw new TranslationException($"tool_choice \"{other}\" is not one of auto, required, none."),
            },
            JsonObject named when named["function"]?["name"] is JsonValue functionName && functionName.GetValueKind() == JsonValueKind.String =>
                ("tool", functionName.GetValue<string>()),
            _ => throw new TranslationException("tool_choice must be \"auto\", \"required\", \"none\" or {\"type\":\"function\",\"function\":{\"name\":…}}."),
        };
        if (choice is null && disableParallel is null)
        {
            return null;
        }

        return new AnthropicToolChoice { Type = type, Name = name, DisableParallelToolUse = type == "none" ? null : disableParallel };
    }
}
