namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// MiniMax's split reasoning on its OpenAI-compatible Chat API (https://platform.minimax.io/docs/api-reference/text-openai-api):
/// without <c>"reasoning_split": true</c> the model's thinking comes inside <c>content</c> as <c>&lt;think&gt;…&lt;/think&gt;</c>;
/// with it, "the model's thinking content is provided separately via the reasoning_details field, which must also be
/// preserved completely" — <c>message.reasoning_details[0].text</c> of a completion, <c>delta.reasoning_details</c> of a
/// chunk, items shaped <c>{"type":"reasoning.text","text":…}</c> — and "Passing the reasoning_details field in subsequent
/// requests ensures that the model maintains a complete chain of thought across multiple tool calls"
/// (https://minimax.io/news/why-is-interleaved-thinking-important-for-m2). <see cref="ChatReader"/> reads the texts as
/// reasoning; a replayed tool-call turn's reasoning goes back in this member (<see cref="TranslationContext.ChatReasoningSplit"/>).
/// </summary>
internal static class ReasoningDetails
{
    /// <summary>The request member that asks for the split.</summary>
    public const string SplitMember = "reasoning_split";

    private static readonly byte[] Head = """[{"type":"reasoning.text","text":"""u8.ToArray();
    private static readonly byte[] Tail = "}]"u8.ToArray();

    /// <summary><paramref name="text"/> as the member's value: one <c>reasoning.text</c> detail.</summary>
    public static RawJsonValue Of(RawJsonString text)
    {
        var bytes = new byte[Head.Length + text.Quoted.Length + Tail.Length];
        Head.CopyTo(bytes, 0);
        text.Quoted.CopyTo(bytes.AsSpan(Head.Length));
        Tail.CopyTo(bytes, Head.Length + text.Quoted.Length);
        return new RawJsonValue(bytes);
    }
}
