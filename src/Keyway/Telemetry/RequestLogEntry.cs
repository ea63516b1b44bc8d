namespace Keyway.Telemetry;

/// <summary>
/// One client request as the data plane saw it. Token counts are null when the upstream did
/// not report them (unknown is not zero). Never holds a secret.
/// </summary>
public sealed record RequestLogEntry
{
    public required DateTimeOffset CreatedAt { get; init; }
    public required string GroupId { get; init; }
    public string? ApiKeyId { get; init; }
    public string? RouteAlias { get; init; }
    public string? ProviderId { get; init; }
    public string? UpstreamModel { get; init; }
    public required string Endpoint { get; init; }
    public required string ClientProtocol { get; init; }
    public string? UpstreamProtocol { get; init; }

    /// <summary>The answer was translated between the client's protocol and the upstream's.</summary>
    public bool Translated { get; init; }

    /// <summary>Searches the gateway's web-search loop ran, and the extra upstream rounds it took; null when it did not run.</summary>
    public int? WebSearchCalls { get; init; }
    public int? WebSearchRounds { get; init; }

    /// <summary>Each search round's latency in ms (its searches and the next upstream call), in order; null when no search ran.</summary>
    public IReadOnlyList<long>? WebSearchRoundMs { get; init; }

    /// <summary>The queries searched, only when KEYWAY_LOG_TOOL_QUERIES=true; null otherwise.</summary>
    public IReadOnlyList<string>? WebSearchQueries { get; init; }

    /// <summary>What the tool-schema fallback removed before its one retry (e.g. "tools: web_search"); null when it did not run.</summary>
    public string? ToolFallback { get; init; }
    public bool Stream { get; init; }

    /// <summary>The request came with a visitor key.</summary>
    public bool Visitor { get; init; }
    public required int StatusCode { get; init; }
    public string? Error { get; init; }
    public required long LatencyMs { get; init; }
    public long? TtfbMs { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public long? CacheReadTokens { get; init; }
    public long? CacheWriteTokens { get; init; }
    public long? ReasoningTokens { get; init; }

    /// <summary>The token counts are Keyway's estimate, the upstream having reported none for an answer that reached the client.</summary>
    public bool UsageEstimated { get; init; }
    public int Attempts { get; init; } = 1;
    public IReadOnlyList<RequestAttempt>? AttemptLog { get; init; }
    public string? UserAgent { get; init; }
}
