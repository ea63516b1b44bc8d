using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// One row of GET /admin/llm/logs: Keyway's fields first (request_tokens/response_tokens are the
/// input/output tokens), then ours (instance_id: the Keyway instance that served it). Unknown token counts stay null, never 0.
/// </summary>
internal sealed record RequestLogView(
    long LogId,
    string GroupId,
    string? ApiKeyId,
    string? RouteAlias,
    string? ProviderId,
    string? UpstreamModel,
    int StatusCode,
    long? RequestTokens,
    long? ResponseTokens,
    long LatencyMs,
    string? Error,
    string CreatedAt,
    string Endpoint,
    string ClientProtocol,
    string? UpstreamProtocol,
    bool Translated,
    bool Stream,
    long? TtfbMs,
    long? InputTokens,
    long? OutputTokens,
    long? CacheReadTokens,
    long? CacheWriteTokens,
    long? ReasoningTokens,
    bool UsageEstimated,
    int Attempts,
    string? UserAgent,
    IReadOnlyList<RequestAttempt>? AttemptLog,
    int? WebSearchCalls,
    int? WebSearchRounds,
    IReadOnlyList<long>? WebSearchRoundMs,
    IReadOnlyList<string>? WebSearchQueries,
    string? ToolFallback,
    bool Visitor,
    string? InstanceId)
{
    public static RequestLogView From(RequestLogRecord record)
    {
        var e = record.Entry;
        return new RequestLogView(
            record.LogId, e.GroupId, e.ApiKeyId, e.RouteAlias, e.ProviderId, e.UpstreamModel, e.StatusCode,
            e.InputTokens, e.OutputTokens, e.LatencyMs, e.Error, e.CreatedAt.ToUniversalTime().ToString("O"),
            e.Endpoint, e.ClientProtocol, e.UpstreamProtocol, e.Translated, e.Stream, e.TtfbMs, e.InputTokens, e.OutputTokens,
            e.CacheReadTokens, e.CacheWriteTokens, e.ReasoningTokens, e.UsageEstimated, e.Attempts, e.UserAgent, e.AttemptLog,
            e.WebSearchCalls, e.WebSearchRounds, e.WebSearchRoundMs, e.WebSearchQueries, e.ToolFallback, e.Visitor,
            record.InstanceId);
    }
}

/// <summary>GET /admin/llm/logs: a page, newest first; pass next_cursor as `before` for the next one.</summary>
internal sealed record RequestLogListResponse(bool Ok, IReadOnlyList<RequestLogView> Logs, long? NextCursor);
