using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Chat messages as Anthropic <c>system</c> blocks and user/assistant turns. Tool messages become tool_result blocks
/// of a user turn; consecutive turns of one role are merged, since Anthropic expects the roles to alternate and a
/// turn's tool_result blocks to come first. Empty text is left out: Anthropic rejects it ("messages: text content
/// blocks must be non-empty"), and a turn left with no block at all is dropped.
/// </summary>
internal static class ChatMessagesToAnthropic
{
    public static (List<AnthropicBlock> System, List<AnthropicMessage> Messages) Messages(List<ChatMessage> chat)
    {
        var system = new List<AnthropicBlock>();
        var messages = new List<AnthropicMessage>();
        foreach (var message in chat)
        {
            switch (message.Role)
            {
                case "system" or "developer":
                    system.AddRange(Parts(message.Content).Where(b => b.Type == "text"));
                    break;
                case "user":
                    Append(messages, "user", Parts(message.Content));
                    break;
                case "assistant":
                    Append(messages, "assistant", AssistantBlocks(message));
                    break;
                case "tool":
                    Append(messages, "user", [ToolResult(message)]);
                    break;
                default:
                    throw new TranslationException($"messages[].role \"{message.Role}\" is not one of system, developer, user, assistant, tool.");
            }
        }

        ToolUseIds.MakeValid(messages);
        if (messages is [.., { Role: "assistant" }] && chat[^1] is not { Role: "assistant", Prefix: true })
        {
            messages.Add(new AnthropicMessage { Role = "user", Content = [AnthropicBlocks.Text(ContinueText)] });
        }
        return (system, messages);
    }

    /// <summary>
    /// The user turn after a trailing assistant message. In Chat a trailing assistant message is history the answer comes
    /// after, while Anthropic would take it as the start of the answer (a prefill), which Claude 4.6 onwards refuse: "This
    /// model does not support assistant message prefill. The conversation must end with a user message." A prefill is
    /// kept where the client asks to be continued (DeepSeek's <c>prefix:true</c>).
    /// </summary>
    private const string ContinueText = "Continue.";

    private static void Append(List<AnthropicMessage> messages, string role, List<AnthropicBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (messages.Count > 0 && messages[^1].Role == role)
        {
            messages[^1].Content!.AddRange(blocks);
            return;
        }

        messages.Add(new AnthropicMessage { Role = role, Content = blocks });
    }

    private static List<AnthropicBlock> AssistantBlocks(ChatMessage message)
    {
        var blocks = ThinkingBlocks(message.ThinkingBlocks);
        blocks.AddRange(Parts(message.Content).Where(b => b.Type == "text"));
        foreach (var call in message.ToolCalls ?? [])
        {
            blocks.Add(new AnthropicBlock
            {
                Type = "tool_use",
                Id = call.Id,
                Name = call.Function?.Name,
                Input = AnthropicBlocks.ParseInput(call.Function?.Arguments),
            });
        }

        return blocks;
    }

    /// <summary>The signed thinking blocks the client sent back (<see cref="ChatThinkingBlock.IsSigned"/>), first in the turn as Anthropic wrote them.</summary>
    private static List<AnthropicBlock> ThinkingBlocks(List<ChatThinkingBlock>? thinking) =>
        (thinking ?? []).Where(block => block.IsSigned).Select(block => block.Type == "thinking"
            ? new AnthropicBlock { Type = "thinking", Thinking = block.Thinking ?? RawJsonString.Empty, Signature = block.Signature }
            : new AnthropicBlock { Type = "redacted_thinking", Data = block.Data }).ToList();


    /// <summary>
    /// The tool message's text and images: Anthropic's tool_result takes both
    /// (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use), so a screenshot a tool returned
    /// reaches the model.
    /// </summary>
    private static AnthropicBlock ToolResult(ChatMessage message)
    {
        var content = Parts(message.Content);
        return new AnthropicBlock { Type = "tool_result", ToolUseId = message.ToolCallId, Content = content.Count > 0 ? content : null };
    }

    /// <summary>
    /// A string or an array of content parts (text, image_url) as blocks, each with the <c>cache_control</c> a part may
    /// carry (LiteLLM's and OpenRouter's spelling of an Anthropic breakpoint in a Chat request); audio and file parts are dropped.
    /// </summary>
    private static List<AnthropicBlock> Parts(RawJsonValue? content)
    {
        if (content?.AsString() is { } text)
        {
            return text.IsEmpty ? [] : [new AnthropicBlock { Type = "text", Text = text }];
        }

        var blocks = new List<AnthropicBlock>();
        foreach (var item in content is null ? [] : JsonNode.Parse(content.Utf8) as JsonArray ?? [])
        {
            var part = item as JsonObject ?? throw new TranslationException("Every content part must be an object.");
            var type = TranslationJson.StringOf(part["type"]);
            var block = type switch
            {
                "text" when TranslationJson.StringOf(part["text"]) is { Length: > 0 } partText => AnthropicBlocks.Text(partText),
                "image_url" when TranslationJson.StringOf((part["image_url"] as JsonObject)?["url"]) is { Length: > 0 } url =>
                    new AnthropicBlock { Type = "image", Source = ImageSource(url) },
                _ => null,
            };
            if (block is not null)
            {
                block.CacheControl = CacheBreakpoints.Of(part);
                blocks.Add(block);
            }
        }

        return blocks;
    }

    /// <summary>
    /// A data URL → a base64 source, anything else → a url source (https://docs.anthropic.com/en/docs/build-with-claude/vision).
    /// A data URL not in base64 (<c>data:image/svg+xml;utf8,&lt;svg…</c>, <c>data:image/png,%89PNG…</c>) is decoded
    /// (<see cref="DataUrl"/>): as a url source Anthropic would try to download it.
    /// </summary>
    private static AnthropicImageSource ImageSource(string url)
    {
        const string base64Marker = ";base64,";
        var marker = url.IndexOf(base64Marker, StringComparison.Ordinal);
        if (url.StartsWith(DataUrl.Scheme, StringComparison.Ordinal))
        {
            return marker > 0
                ? new AnthropicImageSource { Type = "base64", MediaType = url[DataUrl.Scheme.Length..marker], Data = RawJsonString.Of(url[(marker + base64Marker.Length)..]) }
                : DataUrl.ImageSource(url);
        }

        return new AnthropicImageSource { Type = "url", Url = url };
    }
}
