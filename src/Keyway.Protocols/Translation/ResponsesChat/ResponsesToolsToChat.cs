using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Responses <c>tools</c> and <c>tool_choice</c> (https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools)
/// as Chat function tools. Freeform <c>custom</c> tools (Codex's apply_patch, https://platform.openai.com/docs/guides/function-calling#custom-tools)
/// become a function with one string argument <c>input</c>: gateways that drop them make the model print the
/// patch as text instead of calling the tool. Built-in tools (web_search, local_shell, file_search, …) run on
/// OpenAI's side only, so a chat upstream cannot have them: they are dropped.
/// </summary>
internal static class ResponsesToolsToChat
{
    /// <summary>
    /// Writes <c>tools</c> and <c>tool_choice</c>; returns whether any tool was written. With no tool left there is
    /// no <c>tools</c> at all: DeepSeek and OpenAI reject an empty array (OpenAI: "Invalid 'tools': empty array.
    /// Expected an array with minimum length 1"), and Codex's compaction request sends <c>tools: []</c>.
    /// </summary>
    public static bool Write(JsonElement root, ToolNameMap toolNames, Utf8JsonWriter writer)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("tools must be an array of tools.");
        }
        if (!tools.EnumerateArray().Any(IsTranslated))
        {
            return false;
        }

        writer.WriteStartArray("tools");
        foreach (var tool in tools.EnumerateArray())
        {
            WriteTool(tool, toolNames, writer);
        }

        writer.WriteEndArray();
        if (root.TryGetProperty("tool_choice", out var choice))
        {
            WriteToolChoice(choice, writer);
        }

        return true;
    }

    /// <summary>Whether <see cref="WriteTool"/> writes at least one chat tool for this Responses tool.</summary>
    private static bool IsTranslated(JsonElement tool) => tool.String("type") switch
    {
        "function" or "custom" => tool.String("name") is not null,
        "namespace" => tool.TryGet("tools", JsonValueKind.Array, out var members) && members.EnumerateArray().Any(IsTranslated),
        _ => false,
    };

    private static void WriteTool(JsonElement tool, ToolNameMap toolNames, Utf8JsonWriter writer)
    {
        switch (tool.String("type"))
        {
            case "function" when tool.String("name") is { } name:
                WriteFunction(tool, name, writer);
                break;
            case "custom" when tool.String("name") is { } name:
                WriteCustomAsFunction(tool, name, writer);
                toolNames.Add(name, name, isCustomTool: true);
                break;
            case "namespace" when tool.TryGet("tools", JsonValueKind.Array, out var members):
                // Codex groups MCP tools in namespaces; chat has none, so the member tools are listed flat under
                // their own names (calls come back without the namespace, see README).
                foreach (var member in members.EnumerateArray())
                {
                    WriteTool(member, toolNames, writer);
                }

                break;
        }
    }

    private static void WriteFunction(JsonElement tool, string name, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", name);
        tool.CopyProperty("description", writer);
        tool.CopyProperty("parameters", writer);
        tool.CopyProperty("strict", writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteCustomAsFunction(JsonElement tool, string name, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", name);
        tool.CopyProperty("description", writer);
        writer.WriteStartObject("parameters");
        writer.WriteString("type", "object");
        writer.WriteStartObject("properties");
        writer.WriteStartObject(CustomToolInput.ArgumentName);
        writer.WriteString("type", "string");
        writer.WriteString("description", CustomInputDescription(tool));
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("required");
        writer.WriteStringValue(CustomToolInput.ArgumentName);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The grammar is the only thing that tells the model what the raw input must look like, so it travels in
    /// the argument's description (a chat upstream cannot enforce it, only read it).
    /// </summary>
    private static string CustomInputDescription(JsonElement tool)
    {
        const string Raw = "The raw input for this tool, passed to it verbatim as one string.";
        if (!tool.TryGet("format", JsonValueKind.Object, out var format) || format.String("type") != "grammar")
        {
            return Raw;
        }

        var syntax = format.String("syntax") ?? "lark";
        var definition = format.String("definition") ?? "";
        return $"{Raw} It must follow this {syntax} grammar:\n{definition}";
    }

    private static void WriteToolChoice(JsonElement choice, Utf8JsonWriter writer)
    {
        if (choice.ValueKind == JsonValueKind.String && choice.GetString() is "auto" or "none" or "required" && choice.GetString() is { } mode)
        {
            writer.WriteString("tool_choice", mode);
            return;
        }

        if (choice.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        switch (choice.String("type"))
        {
            case "function" or "custom" when choice.String("name") is { } name:
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", name);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case "allowed_tools":
                // Chat's allowed_tools is newer than most compatible upstreams; its mode alone keeps the intent.
                writer.WriteString("tool_choice", choice.String("mode") == "required" ? "required" : "auto");
                break;
            default:
                // A forced built-in tool was dropped with the tool itself.
                writer.WriteString("tool_choice", "auto");
                break;
        }
    }
}
