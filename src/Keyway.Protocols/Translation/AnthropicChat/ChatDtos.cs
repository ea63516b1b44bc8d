using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

// OpenAI Chat Completions wire shapes, https://platform.openai.com/docs/api-reference/chat/create and
// https://platform.openai.com/docs/api-reference/chat/object. Only the fields the translators read or write are
// declared; the rest are dropped on purpose (see README.md next to this file).

internal sealed class ChatRequest
{
    public string? Model { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<ChatMessage>))]
    public List<ChatMessage>? Messages { get; set; }
    public int? MaxTokens { get; set; }
    public int? MaxCompletionTokens { get; set; }

    /// <summary>A string or an array of strings.</summary>
    [JsonConverter(typeof(StrictJsonNodeConverter))]
    public JsonNode? Stop { get; set; }

    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public string? User { get; set; }
    public bool? Stream { get; set; }
    public ChatStreamOptions? StreamOptions { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<ChatTool>))]
    public List<ChatTool>? Tools { get; set; }

    /// <summary>"auto" | "none" | "required" | {"type":"function","function":{"name":…}}.</summary>
    [JsonConverter(typeof(StrictJsonNodeConverter))]
    public JsonNode? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }
    public string? ReasoningEffort { get; set; }

    /// <summary>The vendor's thinking switch (<see cref="ChatThinkingSwitch"/>): DeepSeek's, GLM's, Kimi's and Ark's.</summary>
    public RawJsonValue? Thinking { get; set; }

    /// <summary>Qwen's thinking switch on DashScope (<see cref="ChatThinkingSwitch.EnableThinking"/>).</summary>
    public RawJsonValue? EnableThinking { get; set; }

    /// <summary>MiniMax's ask for its thinking in <c>reasoning_details</c> (<see cref="AnthropicChat.ReasoningDetails"/>).</summary>
    public bool? ReasoningSplit { get; set; }

    public ChatResponseFormat? ResponseFormat { get; set; }

    /// <summary>Read to refuse what an Anthropic upstream cannot give (several choices, token probabilities).</summary>
    public int? N { get; set; }

    public bool? Logprobs { get; set; }
    public int? TopLogprobs { get; set; }
    public string? ServiceTier { get; set; }
}

/// <summary>https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format</summary>
internal sealed class ChatResponseFormat
{
    public string? Type { get; set; }
    public ChatJsonSchema? JsonSchema { get; set; }
}

internal sealed class ChatJsonSchema
{
    public string? Name { get; set; }
    public RawJsonValue? Schema { get; set; }
}

internal sealed record ChatStreamOptions(bool IncludeUsage);

internal sealed class ChatMessage
{
    public string? Role { get; set; }

    /// <summary>A string, an array of content parts, or null (an assistant turn with only tool calls).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public RawJsonValue? Content { get; set; }

    /// <summary>DeepSeek / GLM / Qwen reasoning text, outside the OpenAI reference.</summary>
    public RawJsonString? ReasoningContent { get; set; }

    /// <summary>The same reasoning as MiniMax takes it back (<see cref="AnthropicChat.ReasoningDetails"/>).</summary>
    public RawJsonValue? ReasoningDetails { get; set; }

    /// <summary>Anthropic's signed thinking blocks, as LiteLLM carries them (https://docs.litellm.ai/docs/reasoning_content).</summary>
    [JsonConverter(typeof(NoNullItemsConverter<ChatThinkingBlock>))]
    public List<ChatThinkingBlock>? ThinkingBlocks { get; set; }

    [JsonConverter(typeof(NoNullItemsConverter<ChatToolCall>))]
    public List<ChatToolCall>? ToolCalls { get; set; }
    public string? ToolCallId { get; set; }

    /// <summary>
    /// DeepSeek's chat prefix completion (https://api-docs.deepseek.com/guides/chat_prefix_completion): the last assistant
    /// message is the start of the answer, to be continued.
    /// </summary>
    public bool? Prefix { get; set; }
}

/// <summary>
/// One of Anthropic's thinking blocks on a Chat message (LiteLLM's <c>thinking_blocks</c>): a <c>thinking</c> block with
/// its text and signature, or a <c>redacted_thinking</c> block with its data, kept so the client can send them back.
/// </summary>
internal sealed class ChatThinkingBlock
{
    public string? Type { get; set; }
    public RawJsonString? Thinking { get; set; }
    public string? Signature { get; set; }
    public string? Data { get; set; }

    /// <summary>
    /// Whether Anthropic takes the block back: a thinking block with its signature, a redacted_thinking block with its
    /// data. Anthropic refuses a thinking block without one ("Invalid `signature` in `thinking` block"), such as Keyway's
    /// own, translated from a Chat upstream's reasoning, or an Anthropic-compatible vendor's.
    /// </summary>
    [JsonIgnore]
    public bool IsSigned => Type switch
    {
        "thinking" => !string.IsNullOrEmpty(Signature),
        "redacted_thinking" => !string.IsNullOrEmpty(Data),
        _ => false,
    };
}

internal sealed class ChatToolCall
{
    /// <summary>Only in stream deltas: which tool call a fragment belongs to.</summary>
    public int? Index { get; set; }

    public string? Id { get; set; }
    public string? Type { get; set; }
    public ChatFunctionCall? Function { get; set; }
}

internal sealed class ChatFunctionCall
{
    public string? Name { get; set; }
    public string? Arguments { get; set; }
}

internal sealed class ChatTool
{
    public string? Type { get; set; }
    public ChatFunction? Function { get; set; }
}

internal sealed class ChatFunction
{
    public string? Name { get; set; }
    public RawJsonString? Description { get; set; }
    public RawJsonValue? Parameters { get; set; }
    public bool? Strict { get; set; }
}

internal sealed class ChatResponse
{
    public string? Id { get; set; }
    public string Object { get; set; } = "chat.completion";
    public long Created { get; set; }
    public string? Model { get; set; }
    public List<ChatChoice> Choices { get; set; } = [];
    public ChatUsage? Usage { get; set; }
}

internal sealed class ChatChoice
{
    public int Index { get; set; }
    public ChatMessage? Message { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; set; }

    /// <summary>vLLM / SGLang extensions naming the stop string that ended the answer (a token id is ignored).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? StopReason { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? MatchedStop { get; set; }
}

/// <summary>A count the upstream did not report is null, never 0: the request log must not record a free call.</summary>
internal sealed class ChatUsage
{
    public long? PromptTokens { get; set; }
    public long? CompletionTokens { get; set; }
    /// <summary>Null when the upstream did not say; it is then the sum of the other two.</summary>
    public long? TotalTokens { get; set; }
    public ChatPromptTokensDetails? PromptTokensDetails { get; set; }
    public ChatCompletionTokensDetails? CompletionTokensDetails { get; set; }
}

internal sealed record ChatPromptTokensDetails(long? CachedTokens);

internal sealed record ChatCompletionTokensDetails(long? ReasoningTokens);

/// <summary>
/// https://platform.openai.com/docs/api-reference/chat-streaming/streaming — written by the serializer, read by
/// <see cref="ChatReader"/> (which leaves the id, object and model alone: the client sees the gateway's own).
/// </summary>
internal sealed class ChatChunk
{
    public string? Id { get; set; }

    public string Object { get; set; } = "chat.completion.chunk";

    public long Created { get; set; }

    public string? Model { get; set; }

    public List<ChatChunkChoice> Choices { get; set; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatUsage? Usage { get; set; }

    /// <summary>Some upstreams report a failure mid-stream as a chunk holding only an error object.</summary>
    public ChatError? Error { get; set; }
}

internal sealed class ChatChunkChoice
{
    public int Index { get; set; }
    public ChatDelta? Delta { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; set; }

    public JsonNode? StopReason { get; set; }
    public JsonNode? MatchedStop { get; set; }

    /// <summary>The choice's <c>logprobs.content</c> array, as the upstream wrote it; read for Responses clients only.</summary>
    [JsonIgnore]
    public JsonElement? Logprobs { get; set; }
}

internal sealed class ChatDelta
{
    public string? Role { get; set; }
    public string? Content { get; set; }
    public string? ReasoningContent { get; set; }

    /// <summary>Whole thinking blocks, each sent once complete, to be appended to the message's <c>thinking_blocks</c>.</summary>
    public List<ChatThinkingBlock>? ThinkingBlocks { get; set; }

    public List<ChatToolCall>? ToolCalls { get; set; }
}

/// <summary>An upstream's error; <c>code</c> (e.g. context_length_exceeded, rate_limit_exceeded) is what Codex acts on.</summary>
/// <param name="VendorStatus">The vendor's own failure status it was read from (MiniMax's <c>base_resp</c>), not an <c>error</c> member: <paramref name="Message"/> is its whole text.</param>
internal sealed record ChatError(string? Message, string? Type, string? Code = null, [property: JsonIgnore] VendorStatusInBody.Failure? VendorStatus = null);

internal sealed record ChatErrorChunk(ChatError Error);
