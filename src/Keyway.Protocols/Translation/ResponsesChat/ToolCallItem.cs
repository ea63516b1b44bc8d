namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>Builds the output item for a chat tool call, restoring the client's tool name and kind.</summary>
internal static class ToolCallItem
{
    /// <param name="position">The call's chat <c>index</c> (stream) or array position (non-stream), for a missing id.</param>
    public static ToolCallOutputItem Create(
        TranslationContext ctx,
        ToolNameMap toolNames,
        string? upstreamCallId,
        int position,
        string upstreamName,
        string arguments)
    {
        var callId = string.IsNullOrEmpty(upstreamCallId) ? ResponseIds.FallbackCallId(ctx, position) : upstreamCallId;
        var name = toolNames.ClientName(upstreamName);
        var isCustom = toolNames.IsCustomTool(name);
        return new ToolCallOutputItem(ResponseIds.ToolCall(callId, isCustom), callId, name, arguments, isCustom);
    }
}
