using Keyway.Protocols.Usage;
using Keyway.Telemetry;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>What one client request has done so far; becomes its request-log row at the end.</summary>
internal sealed class ProxyExchange(HttpContext context, ClientProtocol protocol, long startTimestamp)
{
    public HttpContext Context { get; } = context;
    public ClientProtocol Protocol { get; } = protocol;
    public long StartTimestamp { get; } = startTimestamp;
    public IssuedKeyEntry? Key { get; set; }
    public RouteEntry? Route { get; set; }
    public bool Stream { get; set; }
    public int StatusCode { get; set; }
    public string? Error { get; set; }
    public long? FirstByteTimestamp { get; set; }
    public TokenUsage? Usage { get; set; }
    public int Attempts { get; set; }

    public CancellationToken Aborted => Context.RequestAborted;

    public RequestLogEntry ToLogEntry(TimeProvider time)
    {
        var now = time.GetTimestamp();
        return new RequestLogEntry
        {
            CreatedAt = time.GetUtcNow(),
            GroupId = Key?.GroupId ?? "",
            ApiKeyId = Key?.KeyId,
            RouteAlias = Route?.Alias,
            ProviderId = Route?.Provider.ProviderId,
            UpstreamModel = Route?.UpstreamModel,
            Endpoint = Context.Request.Path.Value ?? "",
            ClientProtocol = Protocol.Name(),
            UpstreamProtocol = Route?.Provider.Protocol.Name(),
            Stream = Stream,
            StatusCode = StatusCode,
            Error = Error is { Length: > 500 } ? Error[..500] : Error,
            LatencyMs = (long)time.GetElapsedTime(StartTimestamp, now).TotalMilliseconds,
            TtfbMs = FirstByteTimestamp is { } first ? (long)time.GetElapsedTime(StartTimestamp, first).TotalMilliseconds : null,
            InputTokens = Usage?.InputTokens,
            OutputTokens = Usage?.OutputTokens,
            CacheReadTokens = Usage?.CacheReadTokens,
            CacheWriteTokens = Usage?.CacheWriteTokens,
            ReasoningTokens = Usage?.ReasoningTokens,
            Attempts = Attempts,
            UserAgent = Context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
        };
    }
}
