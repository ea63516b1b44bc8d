using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

// Anthropic streaming events, https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types.

/// <summary>Any upstream event, read leniently: the fields not of its <see cref="Type"/> stay null.</summary>
internal sealed class AnthropicStreamEvent
{
    public string? Type { get; set; }
    public AnthropicResponse? Message { get; set; }
    public int? Index { get; set; }
    public AnthropicBlock? ContentBlock { get; set; }
    public AnthropicDelta? Delta { get; set; }
    public AnthropicUsage? Usage { get; set; }
    public AnthropicError? Error { get; set; }
}

/// <summary>A content_block_delta's delta or a message_delta's delta.</summary>
internal sealed class AnthropicDelta
{
    public string? Type { get; set; }
    public string? Text { get; set; }
    public string? Thinking { get; set; }
    public string? Signature { get; set; }
    public string? PartialJson { get; set; }
    public string? StopReason { get; set; }
    public string? StopSequence { get; set; }
}

internal sealed record AnthropicError(string? Type, string? Message);

internal sealed record MessageStartEvent(AnthropicResponse Message)
{
    [JsonPropertyOrder(-1)]
    public string Type => "message_start";
}

internal sealed record ContentBlockStartEvent(int Index, AnthropicBlock ContentBlock)
{
    [JsonPropertyOrder(-1)]
    public string Type => "content_block_start";
}

internal sealed record ContentBlockStopEvent(int Index)
{
    [JsonPropertyOrder(-1)]
    public string Type => "content_block_stop";
}

internal sealed record MessageDeltaEvent(MessageDeltaBody Delta, AnthropicUsage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Type => "message_delta";
}

internal sealed record MessageDeltaBody(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? StopReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? StopSequence);

internal sealed record MessageStopEvent
{
    [JsonPropertyOrder(-1)]
    public string Type => "message_stop";
}

internal sealed record ErrorEvent(AnthropicError Error)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}
