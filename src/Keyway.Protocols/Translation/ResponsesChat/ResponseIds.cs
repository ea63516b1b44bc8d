namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Output item ids derived from the response id and the upstream's call ids, so a translation is deterministic
/// and a stream and its non-stream twin name their items alike. Prefixes follow OpenAI's (msg_, rs_, fc_, ctc_, cmp_).
/// </summary>
internal static class ResponseIds
{
    /// <param name="repeat">How many messages the answer had before this one: a stream that returns to text after a tool
    /// call (or to reasoning after text) starts a new item, which needs its own id.</param>
    public static string Message(TranslationContext ctx, int repeat = 0) => Numbered("msg_", ctx, repeat);

    public static string Reasoning(TranslationContext ctx, int repeat = 0) => Numbered("rs_", ctx, repeat);

    public static string Compaction(TranslationContext ctx) => "cmp_" + Suffix(ctx);

    public static string ToolCall(string callId, bool isCustom) =>
        (isCustom ? "ctc_" : "fc_") + (callId.StartsWith("call_", StringComparison.Ordinal) ? callId[5..] : callId);

    /// <summary>Some compatible upstreams omit tool call ids; the client still needs one to send the result back.</summary>
    public static string FallbackCallId(TranslationContext ctx, int position) => $"call_{Suffix(ctx)}_{position}";

    private static string Numbered(string prefix, TranslationContext ctx, int repeat) =>
        repeat == 0 ? prefix + Suffix(ctx) : $"{prefix}{Suffix(ctx)}_{repeat}";

    private static string Suffix(TranslationContext ctx) =>
        ctx.ResponseId.StartsWith("resp_", StringComparison.Ordinal) ? ctx.ResponseId[5..] : ctx.ResponseId;
}
