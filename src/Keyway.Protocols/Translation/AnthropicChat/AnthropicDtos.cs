using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

// Anthropic Messages wire shapes, https://docs.anthropic.com/en/api/messages. Only the fields the translators read or
// write are declared; the rest are dropped on purpose (see README.md next to this file).

internal sealed class AnthropicRequest
{
    public string? Model { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<AnthropicMessage>))]
    public List<AnthropicMessage>? Messages { get; set; }

    [JsonConverter(typeof(AnthropicBlocksConverter))]
    public List<AnthropicBlock>? System { get; set; }

    public int? MaxTokens { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<string>))]
    public List<string>? StopSequences { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public AnthropicMetadata? Metadata { get; set; }
    public bool? Stream { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<AnthropicTool>))]
    public List<AnthropicTool>? Tools { get; set; }
    public AnthropicToolChoice? ToolChoice { get; set; }
    public AnthropicThinking? Thinking { get; set; }
    public AnthropicOutputConfig? OutputConfig { get; set; }
    /// <summary>The structured-outputs beta's spelling of <c>output_config.format</c>, still accepted by Anthropic.</summary>
    public AnthropicOutputFormat? OutputFormat { get; set; }

    /// <summary>"auto" or "standard_only" (https://docs.anthropic.com/en/api/service-tiers).</summary>
    public string? ServiceTier { get; set; }

    /// <summary>Not Anthropic's: a client's own choice of MiniMax's split, kept (<see cref="TranslationContext.ChatReasoningSplit"/>).</summary>
    public bool? ReasoningSplit { get; set; }
}

/// <summary>
/// The effort of adaptive thinking and of the whole answer (https://docs.anthropic.com/en/docs/build-with-claude/effort),
/// and the answer's format (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs).
/// </summary>
internal sealed class AnthropicOutputConfig
{
    public string? Effort { get; set; }

    public AnthropicOutputFormat? Format { get; set; }
}

internal sealed class AnthropicOutputFormat
{
    public string? Type { get; set; }
    public RawJsonValue? Schema { get; set; }
}

internal sealed class AnthropicMessage
{
    public string? Role { get; set; }

    [JsonConverter(typeof(AnthropicBlocksConverter))]
    public List<AnthropicBlock>? Content { get; set; }
}

/// <summary>One content block of any type: the fields that do not belong to <see cref="Type"/> stay null.</summary>
internal sealed class AnthropicBlock
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    [JsonConverter(typeof(StrictJsonNodeConverter))]
    public JsonNode? Input { get; set; }
    public AnthropicCaller? Caller { get; set; }
    public RawJsonString? Text { get; set; }
    public RawJsonString? Thinking { get; set; }
    public string? Signature { get; set; }

    /// <summary>A redacted_thinking block's encrypted thinking.</summary>
    public string? Data { get; set; }

    public AnthropicImageSource? Source { get; set; }
    public string? ToolUseId { get; set; }

    [JsonConverter(typeof(AnthropicBlocksConverter))]
    public List<AnthropicBlock>? Content { get; set; }

    public bool? IsError { get; set; }

    public AnthropicCacheControl? CacheControl { get; set; }
}

/// <summary>A prompt-cache breakpoint: the prefix up to and including the block that carries it is cached (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).</summary>
internal sealed record AnthropicCacheControl(string Type, string? Ttl = null)
{
    public static AnthropicCacheControl Ephemeral { get; } = new("ephemeral");
}

internal sealed record AnthropicCaller(string Type)
{
    public static AnthropicCaller Direct { get; } = new("direct");
}

internal sealed class AnthropicImageSource
{
    public string? Type { get; set; }
    public string? MediaType { get; set; }

    /// <summary>The base64 image, kept as the client wrote it: images run to several MB, only ever passed on.</summary>
    public RawJsonString? Data { get; set; }
    public string? Url { get; set; }
}

internal sealed class AnthropicMetadata
{
    public string? UserId { get; set; }
}

internal sealed class AnthropicTool
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public RawJsonString? Description { get; set; }
    public RawJsonValue? InputSchema { get; set; }

    /// <summary>Strict tool use: the call's input is guaranteed to match the schema (structured outputs).</summary>
    public bool? Strict { get; set; }

    public AnthropicCacheControl? CacheControl { get; set; }
}

internal sealed class AnthropicToolChoice
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public bool? DisableParallelToolUse { get; set; }
}

internal sealed class AnthropicThinking
{
    public string? Type { get; set; }
    public int? BudgetTokens { get; set; }

    /// <summary>"summarized" or "omitted" (empty thinking text, the signature only).</summary>
    public string? Display { get; set; }
}

internal sealed class AnthropicResponse
{
    public string? Id { get; set; }
    public string Type { get; set; } = "message";
    public string Role { get; set; } = "assistant";
    public string? Model { get; set; }
    [JsonConverter(typeof(NoNullItemsConverter<AnthropicBlock>))]
    public List<AnthropicBlock> Content { get; set; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; set; }

    public AnthropicUsage? Usage { get; set; }
}

internal sealed class AnthropicUsage
{
    public long InputTokens { get; set; }
    public long? CacheCreationInputTokens { get; set; }
    public long? CacheReadInputTokens { get; set; }
    public long OutputTokens { get; set; }
}
