using System.Text.Json;

namespace Keyway.Protocols.OpenAI;

/// <summary>
/// A Chat answer that broke off: GLM's <c>finish_reason</c> <c>network_error</c>, model inference failed mid-answer
/// (https://docs.bigmodel.cn/api-reference/模型-api/对话补全). It is no ended answer: the client gets an error. One rule for
/// every reader of a Chat answer: the pass-through usage scan and stream observer, a whole answer turned into a stream,
/// and the translators.
/// </summary>
internal static class BrokenOffAnswer
{
    /// <summary>What a client is told of it.</summary>
    public const string Message = "The upstream's answer broke off (finish_reason \"network_error\").";

    public static bool IsFinishReason(string? finishReason) => finishReason == "network_error";

    /// <summary><see cref="IsFinishReason(string?)"/> on the reader's string token, which it neither copies nor unescapes into a string.</summary>
    public static bool IsFinishReason(ref readonly Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("network_error"u8);

    /// <summary><see cref="IsFinishReason(string?)"/> on a parsed choice's <c>finish_reason</c>, compared in place.</summary>
    public static bool IsFinishReason(JsonElement finishReason) =>
        finishReason.ValueKind == JsonValueKind.String && finishReason.ValueEquals("network_error"u8);
}
