using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Anthropic <c>tools</c> and <c>tool_choice</c> as Chat function tools (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).</summary>
internal static class AnthropicToolsToChat
{
    /// <summary>The client tools as functions; null when none is left (server tools are dropped: see the README).</summary>
    public static List<ChatTool>? Tools(List<AnthropicTool>? tools, ToolNameMap names)
    {
        var functions = new List<ChatTool>();
        foreach (var tool in tools ?? [])
        {
            if (tool.Type is not (null or "custom"))
            {
                continue;
            }

            if (string.IsNullOrEmpty(tool.Name))
            {
                throw new TranslationException("Every tool needs a name.");
            }

            var upstreamName = ToolNames.ForChat(tool.Name);
            if (upstreamName != tool.Name)
            {
                names.Add(upstreamName, tool.Name);
            }

            functions.Add(new ChatTool
            {
                Type = "function",
                Function = new ChatFunction
                {
                    Name = upstreamName,
                    Description = tool.Description,
                    Parameters = tool.InputSchema ?? RawJsonValue.EmptyObjectSchema,
                },
            });
        }

        return functions.Count == 0 ? null : functions;
    }

    /// <summary>auto → "auto", any → "required", none → "none", tool → the named function.</summary>
    public static JsonNode? ToolChoice(AnthropicToolChoice? choice) => choice?.Type switch
    {
        "auto" => "auto",
        "any" => "required",
        "none" => "none",
        "tool" when !string.IsNullOrEmpty(choice.Name) => new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = ToolNames.ForChat(choice.Name) },
        },
        null => null,
        _ => throw new TranslationException($"tool_choice.type \"{choice.Type}\" is not one of auto, any, tool, none (tool needs a name)."),
    };
}
