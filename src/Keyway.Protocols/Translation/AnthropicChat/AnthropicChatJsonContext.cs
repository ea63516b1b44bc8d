using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Source-generated (de)serialization of every wire shape the Anthropic ⇄ Chat translators use.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicBlock))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(MessageStartEvent))]
[JsonSerializable(typeof(ContentBlockStartEvent))]
[JsonSerializable(typeof(ContentBlockStopEvent))]
[JsonSerializable(typeof(MessageDeltaEvent))]
[JsonSerializable(typeof(MessageStopEvent))]
[JsonSerializable(typeof(ErrorEvent))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatResponse))]
[JsonSerializable(typeof(ChatChunk))]
[JsonSerializable(typeof(ChatErrorChunk))]
[JsonSerializable(typeof(List<ChatThinkingBlock>))]
internal sealed partial class AnthropicChatJsonContext : JsonSerializerContext;
