namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Output item ids derived from the response id and the upstream's call ids, so a translation is deterministic
/// and a stream and its non-stream twin name their items alike. Prefixes follow OpenAI's (msg_, rs_, fc_, ctc_, cmp_).
/// </summary>
internal static class ResponseIds
{
    public static string Message(TranslationContext ctx) => "msg_" + Suffix(ctx);

    public static string Reasoning(TranslationContext ctx) => "rs_" + Suffix(ctx);

    public static string Compaction(TranslationContext ctx) => "cmp_" + Suffix(ctx);

    public static string ToolCall(string callId, bool isCustom) =>
        (isCustom ? "ctc_" : "fc_") + (callId.StartsWith("call_", StringComparison.Ordinal) ? callId[5..] : callId);

    /// <summary>Some compatible upstreams omit tool call ids; the client still needs one to send the result back.</summary>
    public static string FallbackCallId(TranslationContext ctx, int position) => $"call_{Suffix(ctx)}_{position}";

    private static string Suffix(TranslationContext ctx) =>
        ctx.ResponseId.StartsWith("resp_", StringComparison.Ordinal) ? ctx.ResponseId[5..] : ctx.ResponseId;
}
