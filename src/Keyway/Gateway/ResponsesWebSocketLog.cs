using System.Text.Json;
using Keyway.Protocols.Usage;
using Keyway.Telemetry;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The log rows of one relayed Responses WebSocket: one per response, written when the upstream ends it with
/// <c>response.completed</c> / <c>response.incomplete</c> (usage read from the response), <c>response.failed</c> or an
/// <c>error</c> event (https://platform.openai.com/docs/api-reference/responses/websocket-events); one per response the
/// key's policy refused; and a 499 for each response still running when the socket ends. Each row ends its response's
/// key admission (<see cref="KeyPolicyGate.Complete"/>), in the order the responses were sent. A connection refused
/// after authentication and before the relay gets the one row its HTTP twin gets, naming what was resolved by then
/// (<paramref name="route"/>, <paramref name="target"/> and <paramref name="upstreamKey"/> are null until they are).
/// </summary>
internal sealed class ResponsesWebSocketLog(
    HttpContext context, IssuedKeyEntry key, RouteEntry? route, RouteTarget? target, UpstreamKey? upstreamKey, RequestLogQueue logs, KeyPolicyGate keyPolicy,
    TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<KeyAdmission> _running = new();
    private long? _sentAt;
    private long? _firstFrameAt;

    /// <summary>The client sent <c>response.create</c> and the key's policy admitted it: a response starts now.</summary>
    public void RequestSent(KeyAdmission admission)
    {
        lock (_gate)
        {
            _sentAt ??= time.GetTimestamp();
            _firstFrameAt = null;
            _running.Enqueue(admission);
        }
    }

    /// <summary>Whether a response sent is still waiting for its end.</summary>
    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Count > 0;
            }
        }
    }

    /// <summary>The key's policy refused a <c>response.create</c>: its row, as an HTTP refusal has one.</summary>
    public void Refused(KeyRefusal refusal)
    {
        var now = time.GetTimestamp();
        Write(null, Entry(refusal.Status, refusal.Message, TokenUsage.Unknown, now, now));
    }

    /// <summary>The connection was refused before the relay started (its upgrade request began at <paramref name="startedAt"/>).</summary>
    public void RefusedConnection(WebSocketRefusal refusal, long startedAt) =>
        Write(null, Entry(refusal.Status, refusal.Message, TokenUsage.Unknown, startedAt, startedAt));

    /// <summary>The socket ended: each response still running gets a 499 row and gives back its admission.</summary>
    public void Abandon() => EndRunning(new(StatusCodes.Status499ClientClosedRequest, WebSocketMessages.EndedBeforeResponse));

    /// <summary>Each response still running gets <paramref name="reason"/>'s row and gives back its admission; whether one was running.</summary>
    public bool EndRunning(WebSocketRefusal reason)
    {
        for (var ended = false; ; ended = true)
        {
            KeyAdmission admission;
            long sentAt;
            lock (_gate)
            {
                if (!_running.TryDequeue(out admission!))
                {
                    return ended;
                }
                sentAt = _sentAt ?? time.GetTimestamp();
                _sentAt = null;
            }
            Write(admission, Entry(reason.Status, reason.Message, TokenUsage.Unknown, sentAt, sentAt));
        }
    }

    /// <summary>Reads one upstream event; a terminal one becomes a log row, and its status and error are returned.</summary>
    public (int Status, string? Error)? Observe(byte[] frame)
    {
        lock (_gate)
        {
            _firstFrameAt ??= time.GetTimestamp();
        }
        if (Terminal(frame) is not { } outcome)
        {
            return null;
        }
        var (status, error, usage) = outcome;
        long sentAt;
        long firstFrameAt;
        KeyAdmission? admission;
        lock (_gate)
        {
            sentAt = _sentAt ?? time.GetTimestamp();
            firstFrameAt = _firstFrameAt ?? sentAt;
            _sentAt = null;
            _firstFrameAt = null;
            _running.TryDequeue(out admission);
        }
        Write(admission, Entry(status, error, usage, sentAt, firstFrameAt));
        return (status, error);
    }

    private void Write(KeyAdmission? admission, RequestLogEntry entry)
    {
        keyPolicy.Complete(admission, entry);
        logs.Enqueue(entry);
    }

    private static (int Status, string? Error, TokenUsage Usage)? Terminal(byte[] frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var response = root.TryGetProperty("response", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            return type switch
            {
                "response.completed" or "response.incomplete" => (StatusCodes.Status200OK, null, UsageOf(response)),
                "response.failed" => (StatusCodes.Status502BadGateway, MessageOf(response), UsageOf(response)),
                "error" => (StatusOf(root), MessageOf(root), TokenUsage.Unknown),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TokenUsage UsageOf(JsonElement response) =>
        response.ValueKind == JsonValueKind.Object ? UsageReader.FromResponse(System.Text.Encoding.UTF8.GetBytes(response.GetRawText())) : TokenUsage.Unknown;

    private static string? MessageOf(JsonElement holder) =>
        holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            ? message.GetString()
            : null;

    private static int StatusOf(JsonElement root) =>
        root.TryGetProperty("status", out var status) && status.TryGetInt32(out var code) ? code : StatusCodes.Status400BadRequest;

    private RequestLogEntry Entry(int status, string? error, TokenUsage usage, long sentAt, long firstFrameAt)
    {
        var now = time.GetTimestamp();
        RequestAttempt[]? attempts = target is not null && upstreamKey is not null ? [new RequestAttempt(target.Provider.ProviderId, upstreamKey.Name, status)] : null;
        return new RequestLogEntry
        {
            CreatedAt = time.GetUtcNow(),
            GroupId = key.GroupId,
            ApiKeyId = key.KeyId,
            RouteAlias = route?.Alias,
            ProviderId = target?.Provider.ProviderId,
            UpstreamModel = target?.UpstreamModel,
            Endpoint = context.Request.Path.Value ?? "",
            ClientProtocol = ClientProtocol.OpenAIResponses.Name(),
            UpstreamProtocol = target?.Provider.Protocol.Name(),
            Stream = true,
            Visitor = key.Policy.Visitor,
            StatusCode = status,
            Error = error is { Length: > 500 } ? error[..500] : error,
            LatencyMs = (long)time.GetElapsedTime(sentAt, now).TotalMilliseconds,
            TtfbMs = (long)time.GetElapsedTime(sentAt, firstFrameAt).TotalMilliseconds,
            InputTokens = usage.InputTokens,
            OutputTokens = usage.OutputTokens,
            CacheReadTokens = usage.CacheReadTokens,
            CacheWriteTokens = usage.CacheWriteTokens,
            ReasoningTokens = usage.ReasoningTokens,
            Attempts = attempts?.Length ?? 0,
            AttemptLog = attempts,
            UserAgent = context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
        };
    }
}
