using System.Diagnostics;
using Keyway.Telemetry.Metrics;
using Keyway.Telemetry.Tracing;
using Keyway.Upstreams;

namespace Keyway.Telemetry;

/// <summary>
/// The timings and spans of one client request and its upstream attempts, kept inside the request's own state (a
/// struct field, no allocation of its own). Feeds the upstream TTFB and duration histograms, the gateway-added
/// latency histogram, and the request and attempt spans when tracing is on.
/// </summary>
internal struct RequestTelemetry
{
    private KeywayMetrics _metrics;
    private TimeProvider _time;
    private long _start;
    private Activity? _request;
    private Activity? _attempt;
    private string? _attemptProvider;
    private long _attemptStart;
    private long _upstreamTicks;
    private long _keyWaitTicks;

    public void Start(KeywayMetrics metrics, TimeProvider time, long startTimestamp, string clientProtocol)
    {
        _metrics = metrics;
        _time = time;
        _start = startTimestamp;
        _request = KeywayTracing.Source.StartActivity(KeywayTracing.RequestSpan, ActivityKind.Server);
        _request?.SetTag("keyway.client_protocol", clientProtocol);
    }

    /// <summary>A new upstream attempt; ends the previous one (whose answer was not relayed).</summary>
    public void BeginAttempt(string alias, string provider, string keyName, string upstreamModel, int retryIndex)
    {
        EndAttempt();
        _attemptProvider = provider;
        _attemptStart = _time.GetTimestamp();
        _attempt = _request is null ? null : KeywayTracing.Source.StartActivity(KeywayTracing.AttemptSpan, ActivityKind.Client, _request.Context);
        if (_attempt is not null)
        {
            _attempt.SetTag("keyway.alias", alias);
            _attempt.SetTag("keyway.provider", provider);
            _attempt.SetTag("keyway.key_name", keyName);
            _attempt.SetTag("keyway.upstream_model", upstreamModel);
            _attempt.SetTag("keyway.retry_index", retryIndex);
        }
    }

    /// <summary>The attempt got its response headers with <paramref name="status"/>, or no answer (502/504).</summary>
    public readonly void AttemptAnswered(int status)
    {
        if (_attemptProvider is null)
        {
            return;
        }
        _metrics.RecordAttemptAnswered(_attemptProvider, status, _time.GetElapsedTime(_attemptStart));
        _attempt?.SetTag("http.response.status_code", status);
    }

    public readonly void AttemptFailed(FailureClass failure)
    {
        if (_attempt is not null)
        {
            _attempt.SetTag("keyway.failure_class", FailureClassName(failure));
            _attempt.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>The request waited for an upstream key (key_wait_seconds): not the gateway's own work, nor the upstream's.</summary>
    public void KeyWaited(TimeSpan waited) => _keyWaitTicks += waited.Ticks;

    /// <summary>The request is over: closes the last attempt, records the gateway's own share and ends the request span.</summary>
    public void Finish(RequestLogEntry entry)
    {
        if (_metrics is null)
        {
            return;
        }
        EndAttempt();
        var total = _time.GetElapsedTime(_start);
        _metrics.RecordGatewayOverhead(total - TimeSpan.FromTicks(_upstreamTicks + _keyWaitTicks));
        if (_request is null)
        {
            return;
        }
        _request.SetTag("keyway.group", entry.GroupId);
        _request.SetTag("keyway.alias", entry.RouteAlias);
        _request.SetTag("keyway.provider", entry.ProviderId);
        _request.SetTag("keyway.attempts", entry.Attempts);
        _request.SetTag("keyway.stream", entry.Stream);
        if (_keyWaitTicks > 0)
        {
            _request.SetTag("keyway.key_wait_seconds", TimeSpan.FromTicks(_keyWaitTicks).TotalSeconds);
        }
        _request.SetTag("http.response.status_code", entry.StatusCode);
        if (entry.StatusCode >= 400)
        {
            _request.SetStatus(ActivityStatusCode.Error);
        }
        _request.Dispose();
        _request = null;
    }

    private void EndAttempt()
    {
        if (_attemptProvider is null)
        {
            return;
        }
        var elapsed = _time.GetElapsedTime(_attemptStart);
        _upstreamTicks += elapsed.Ticks;
        _metrics.RecordAttemptDuration(_attemptProvider, elapsed);
        _attempt?.Dispose();
        _attempt = null;
        _attemptProvider = null;
    }

    private static string FailureClassName(FailureClass failure) => failure switch
    {
        FailureClass.Credential => "credential",
        FailureClass.Quota => "quota",
        FailureClass.RateLimit => "rate_limit",
        FailureClass.CallerFault => "caller_fault",
        FailureClass.Transient => "transient",
        _ => "unknown",
    };
}
