using System.Diagnostics.Metrics;

namespace Keyway.Telemetry.Metrics;

/// <summary>
/// The gateway's instruments, on a Meter of this app's own <see cref="IMeterFactory"/> (so two servers in one process
/// never mix their numbers). Recording is allocation-free: every tag value is a string already held by the routing
/// snapshot or a cached literal, passed through the one-to-three-tag overloads, which do not box or build a list.
/// </summary>
public sealed class KeywayMetrics
{
    public const string MeterName = "Keyway";

    /// <summary>Upstream call times, in seconds: from a few milliseconds to the longest streamed answers.</summary>
    private static readonly double[] UpstreamBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>The gateway's own share of a request, in seconds: sub-millisecond when healthy.</summary>
    private static readonly double[] OverheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Histogram<double> _upstreamTtfb;
    private readonly Histogram<double> _gatewayOverhead;

    public KeywayMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _requests = Meter.CreateCounter<long>("keyway_requests", "{request}", "Client requests answered, by route alias, provider and status.");
        _tokens = Meter.CreateCounter<long>("keyway_tokens", "{token}", "Tokens reported by upstreams, by alias, provider and kind (input, output, cache_read, cache_write, reasoning).");
        _attempts = Meter.CreateCounter<long>("keyway_upstream_attempts", "{attempt}", "Upstream calls, by provider and status (502/504: no answer).");
        _upstreamDuration = Meter.CreateHistogram<double>("keyway_upstream_duration_seconds", "s",
            "One upstream attempt from sending to its last byte relayed (or its failure), by provider.", advice: new() { HistogramBucketBoundaries = UpstreamBuckets });
        _upstreamTtfb = Meter.CreateHistogram<double>("keyway_upstream_ttfb_seconds", "s",
            "One upstream attempt from sending to its response headers, by provider.", advice: new() { HistogramBucketBoundaries = UpstreamBuckets });
        _gatewayOverhead = Meter.CreateHistogram<double>("keyway_gateway_added_seconds", "s",
            "A request's time outside upstream calls: auth, body reading, routing, translation and failover bookkeeping.", advice: new() { HistogramBucketBoundaries = OverheadBuckets });
    }

    /// <summary>The meter, for the observable gauges of other parts (log queue, key health, snapshot).</summary>
    public Meter Meter { get; }

    /// <summary>One answered request: its count and its tokens. Called once per request-log entry.</summary>
    public void RecordRequest(RequestLogEntry entry)
    {
        if (!_requests.Enabled)
        {
            return;
        }
        var alias = Tag("alias", entry.RouteAlias);
        // The provider that answered: a request refused before any upstream call (bad key, unknown model, the issued
        // key's own budget or rate limit, no usable key) has none, though its row may name the route's provider.
        var provider = Tag("provider", entry.Attempts > 0 ? entry.ProviderId : null);
        _requests.Add(1, alias, provider, new("status", StatusText.Of(entry.StatusCode)));
        AddTokens(alias, provider, "input", entry.InputTokens);
        AddTokens(alias, provider, "output", entry.OutputTokens);
        AddTokens(alias, provider, "cache_read", entry.CacheReadTokens);
        AddTokens(alias, provider, "cache_write", entry.CacheWriteTokens);
        AddTokens(alias, provider, "reasoning", entry.ReasoningTokens);
    }

    /// <summary>
    /// A request refused for a missing, unknown or expired key, which has no request-log row (a row belongs to a key's
    /// group): 401 with an empty alias and provider. Its body is not read, and a caller without a key adds no series.
    /// </summary>
    public void RecordUnauthenticated() =>
        _requests.Add(1, new("alias", ""), new("provider", ""), new("status", StatusText.Of(StatusCodes.Status401Unauthorized)));

    /// <summary>An upstream attempt got its response headers (or no answer, with 502/504).</summary>
    public void RecordAttemptAnswered(string provider, int status, TimeSpan timeToHeaders)
    {
        var providerTag = new KeyValuePair<string, object?>("provider", provider);
        _attempts.Add(1, providerTag, new("status", StatusText.Of(status)));
        _upstreamTtfb.Record(timeToHeaders.TotalSeconds, providerTag);
    }

    /// <summary>An upstream attempt is over: its answer was relayed, or a later attempt replaced it.</summary>
    public void RecordAttemptDuration(string provider, TimeSpan duration) =>
        _upstreamDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("provider", provider));

    public void RecordGatewayOverhead(TimeSpan overhead) => _gatewayOverhead.Record(Math.Max(0, overhead.TotalSeconds));

    private void AddTokens(KeyValuePair<string, object?> alias, KeyValuePair<string, object?> provider, string kind, long? tokens)
    {
        if (tokens is > 0)
        {
            _tokens.Add(tokens.Value, alias, provider, new("kind", kind));
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, string? value) => new(name, value ?? "");
}
