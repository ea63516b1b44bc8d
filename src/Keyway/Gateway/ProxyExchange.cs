using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Usage;
using Keyway.Security;
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

    /// <summary>What the key's policy decided; null until the request got that far.</summary>
    public KeyAdmission? Admission { get; set; }
    public bool Stream { get; set; }
    public int StatusCode { get; set; }
    public string? Error { get; set; }

    /// <summary>When the answer's first bytes were handed to the client's response (they may still wait for its end to be sent).</summary>
    public long? FirstByteTimestamp { get; set; }

    /// <summary>
    /// Whether the answer has begun: its headers went out, or body bytes wait in the response for its end (a relayed
    /// stream's last events do). Past this point an error can only be told in the answer's own format.
    /// </summary>
    public bool AnswerBegun => Context.Response.HasStarted || FirstByteTimestamp is not null;

    public TokenUsage? Usage { get; set; }

    /// <summary><see cref="Usage"/> is Keyway's estimate, not the upstream's report (<see cref="UsageEstimate"/>).</summary>
    public bool UsageEstimated { get; set; }
    public int Attempts => _attempts.Count;

    /// <summary>
    /// The number of the latest body sent upstream (1 for the first attempt's): each attempt's, and each later web-search
    /// round's (<see cref="BeginSearchRound"/>), whose prompt is billed alike.
    /// </summary>
    public int Sends => _sends;

    /// <summary>
    /// Whether the latest body (the current attempt's, or its latest web-search round's) went to its upstream in full (the
    /// content wrote its last byte to the connection): from then on the provider has the prompt and may bill it, whether
    /// or not anyone waits for its answer.
    /// </summary>
    public bool LastBodySent => _sends > 0 && Volatile.Read(ref _bodySent) == _sends;

    /// <summary>The target of the latest attempt; the log row names its provider and model.</summary>
    public RouteTarget? Target { get; private set; }

    /// <summary>The key named in <c>alias[key-name]</c>, when the client pinned one.</summary>
    public string? PinnedKeyName { get; set; }

    /// <summary>Retry-After for an error answer when keys are cooling: the earliest recovery.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The last failure recorded through the forwarder's funnel.</summary>
    public ForwardError? LastError { get; set; }

    /// <summary>
    /// The vendor's own failure status (MiniMax's <c>base_resp</c>) that broke the relayed stream off after content: the
    /// key fails as its code says, as it would have had the stream opened with it.
    /// </summary>
    public VendorStatusInBody.Failure? VendorFailure { get; set; }

    /// <summary>The protocol of the endpoint actually called (a native endpoint's, not always the provider's main one).</summary>
    public UpstreamProtocol? UpstreamProtocol { get; set; }

    /// <summary>The answer being relayed is translated from the upstream's protocol into the client's.</summary>
    public bool Translated { get; set; }

    /// <summary>What the latest attempt's upstream must not echo to the client or the log: its key and the client's.</summary>
    public SecretScrubber Secrets { get; private set; } = SecretScrubber.None;

    /// <summary>The translator of the stream being relayed; a mid-stream failure is written through it.</summary>
    public IStreamTranslator? StreamTranslator { get; set; }

    /// <summary>The stream being relayed when its Responses turn is stored: it holds <c>response.completed</c> back until then.</summary>
    public StoredTurnStream? TurnStream { get; set; }

    /// <summary>Searches the gateway ran for the upstream, and the extra upstream rounds they took.</summary>
    public int WebSearchCalls { get; set; }
    public int WebSearchRounds { get; set; }

    /// <summary>Each search round's latency in ms, and the queries searched when KEYWAY_LOG_TOOL_QUERIES is on.</summary>
    public List<long> WebSearchRoundMs { get; } = [];
    public List<string> WebSearchQueries { get; } = [];

    /// <summary>When the search round under way started (its first search, or its upstream call when it had none).</summary>
    public long? WebSearchRoundStart { get; set; }

    /// <summary>What the tool-schema fallback removed before retrying; null while it has not run (it runs once).</summary>
    public string? ToolFallback { get; set; }

    /// <summary>Timings and spans for the metrics and traces; a mutable struct, so only ever used through this field.</summary>
    public RequestTelemetry Telemetry;

    private readonly List<RequestAttempt> _attempts = [];

    /// <summary>The send (<see cref="Sends"/>) whose body was last sent in full; written by its content on HttpClient's side.</summary>
    private int _bodySent;

    private int _sends;

    public void BeginAttempt(RouteTarget target, UpstreamKey key, UpstreamProtocol protocol)
    {
        Telemetry.BeginAttempt(Route?.Alias ?? "", target.Provider.ProviderId, key.Name, target.UpstreamModel, _attempts.Count);
        Target = target;
        UpstreamProtocol = protocol;
        var (bearer, apiKey) = GatewayAuth.PresentedKeys(Context.Request);
        Secrets = new SecretScrubber(key.Secret, bearer, target.Provider.HeaderSecrets, secondClientKey: apiKey);
        _attempts.Add(new RequestAttempt(target.Provider.ProviderId, key.Name, 0));
        _sends++;
    }

    /// <summary>A later web-search round of the current attempt is about to send its body: a send of its own.</summary>
    public void BeginSearchRound()
    {
        WebSearchRounds++;
        _sends++;
    }

    /// <summary>
    /// Noted by the content of send <paramref name="send"/> (<see cref="Sends"/> when it was made) once its body went out
    /// in full: a plain write, no lock; a late one of an earlier send never marks a later one's body as sent.
    /// </summary>
    public void BodySent(int send) => Volatile.Write(ref _bodySent, send);

    /// <summary>Notes the status the current attempt got (502/504 when the upstream never answered).</summary>
    public void EndAttempt(int status)
    {
        _attempts[^1] = _attempts[^1] with { Status = status };
        Telemetry.AttemptAnswered(status);
    }

    /// <summary>The current attempt's 200 proved to be no answer, or a broken one: its log entry says <paramref name="status"/> instead.</summary>
    public void AttemptUnusable(int status) => _attempts[^1] = _attempts[^1] with { Status = status };

    /// <summary>Notes why the current attempt failed (its span says so).</summary>
    public void AttemptFailed(FailureClass failure) => Telemetry.AttemptFailed(failure);

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
            ProviderId = Target?.Provider.ProviderId ?? Route?.Provider.ProviderId,
            UpstreamModel = Target?.UpstreamModel ?? Route?.UpstreamModel,
            Endpoint = Context.Request.Path.Value ?? "",
            ClientProtocol = Protocol.Name(),
            UpstreamProtocol = (UpstreamProtocol ?? Route?.Provider.Protocol)?.Name(),
            Translated = Translated,
            WebSearchCalls = WebSearchCalls > 0 ? WebSearchCalls : null,
            WebSearchRounds = WebSearchCalls > 0 ? WebSearchRounds : null,
            WebSearchRoundMs = WebSearchRoundMs.Count > 0 ? WebSearchRoundMs.ToArray() : null,
            WebSearchQueries = WebSearchQueries.Count > 0 ? WebSearchQueries.ToArray() : null,
            ToolFallback = ToolFallback,
            Stream = Stream,
            Visitor = Key?.Policy.Visitor ?? false,
            StatusCode = StatusCode,
            Error = Error is { Length: > 500 } ? Error[..500] : Error,
            LatencyMs = (long)time.GetElapsedTime(StartTimestamp, now).TotalMilliseconds,
            TtfbMs = FirstByteTimestamp is { } first ? (long)time.GetElapsedTime(StartTimestamp, first).TotalMilliseconds : null,
            InputTokens = Usage?.InputTokens,
            OutputTokens = Usage?.OutputTokens,
            CacheReadTokens = Usage?.CacheReadTokens,
            CacheWriteTokens = Usage?.CacheWriteTokens,
            ReasoningTokens = Usage?.ReasoningTokens,
            UsageEstimated = UsageEstimated,
            Attempts = Attempts,
            AttemptLog = _attempts.Count > 0 ? _attempts.ToArray() : null,
            UserAgent = Context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
        };
    }
}
