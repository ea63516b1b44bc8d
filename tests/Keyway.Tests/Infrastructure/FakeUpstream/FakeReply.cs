using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// What the fake upstream does with one request instead of (or on top of) its default answer. Build one with the
/// static factories and give it to <see cref="FakeUpstream.Enqueue"/> or <see cref="FakeUpstream.ReplyToAll"/>;
/// <see cref="After"/> adds a hold before the response headers to any reply.
/// </summary>
public sealed record FakeReply
{
    private static readonly Task Never = new TaskCompletionSource().Task;

    /// <summary>The default, protocol-correct answer.</summary>
    public static FakeReply Default { get; } = new();

    /// <summary>A scripted status; null means the default answer.</summary>
    internal int? StatusCode { get; init; }
    internal string Body { get; init; } = "";
    internal string ContentType { get; init; } = "application/json";
    internal IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Nothing is sent, not even headers, until this task completes (or the caller goes away).</summary>
    internal Task? Release { get; init; }

    /// <summary>
    /// The default answer ends after this many SSE events (non-stream: after half the body) and the connection
    /// closes, cleanly at the HTTP level: the caller sees an early end of stream without the terminal event.
    /// </summary>
    internal int? CutAfterEvents { get; init; }

    /// <summary>At the cut, wait for the caller to go away instead of closing the connection.</summary>
    internal bool HangAtCut { get; init; }

    /// <summary>After the whole default answer, keep the connection open until the caller goes away.</summary>
    internal bool HoldOpenAtEnd { get; init; }

    internal bool OmitUsage { get; init; }

    /// <summary>The prompt (input) tokens the default answer's usage reports instead of <see cref="FakeUpstream.PromptTokens"/>.</summary>
    internal int? PromptTokens { get; init; }

    /// <summary>The default answer is text even where the fake would call a tool.</summary>
    internal bool TextOnly { get; init; }

    /// <summary>The default answer is the whole JSON one even when the request asked for a stream.</summary>
    internal bool IgnoreStream { get; init; }

    /// <summary>The default stream pauses after this many SSE events until <see cref="Resume"/> completes, then goes on.</summary>
    internal int? PauseAfterEvents { get; init; }

    internal Task? Resume { get; init; }

    /// <summary>Completed once the stream's headers are flushed, before its first event.</summary>
    internal TaskCompletionSource? HeadersSent { get; init; }

    /// <summary>Completed once a scripted reply's status, headers and body are flushed (<see cref="Signalling"/>).</summary>
    internal TaskCompletionSource? Written { get; init; }

    /// <summary>At the cut (or before any header when there is no cut), reset the TCP connection instead of ending the body.</summary>
    internal bool Reset { get; init; }

    /// <summary>With <see cref="Reset"/> at a cut: the reset waits for this, so the caller surely got what came before it.</summary>
    internal Task? ResetWhen { get; init; }

    /// <summary>Answers with exactly this status, body and headers.</summary>
    public static FakeReply Status(int status, string body, IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/json") =>
        new() { StatusCode = status, Body = body, Headers = headers ?? new Dictionary<string, string>(), ContentType = contentType };

    /// <summary>A plain-text error body, as proxies in front of upstreams send.</summary>
    public static FakeReply PlainText(int status, string text) => Status(status, text, contentType: "text/plain; charset=utf-8");

    /// <summary>An OpenAI-shaped error: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static FakeReply OpenAIError(int status, string message, string type, string? code = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code };
        return Status(status, FakeJson.Serialize(new JsonObject { ["error"] = error }), headers);
    }

    /// <summary>OpenAI's 429 with a <c>Retry-After</c> header, as its rate limiter sends it.</summary>
    public static FakeReply OpenAIRateLimit(int retryAfterSeconds = 1) => OpenAIError(
        429,
        "Rate limit reached for requests. Please try again in 1s.",
        "requests",
        "rate_limit_exceeded",
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>An Anthropic-shaped error: <c>{"type":"error","error":{"type","message"}}</c>, e.g. 401 authentication_error.</summary>
    public static FakeReply AnthropicError(int status, string type, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        var body = new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = "req_fake",
        };
        return Status(status, FakeJson.Serialize(body), headers);
    }

    /// <summary>Holds the request before any header until <paramref name="release"/> completes, then answers by default.</summary>
    public static FakeReply HoldUntil(Task release) => new() { Release = release };

    /// <summary>Never answers; the request ends only when its caller aborts it (see <see cref="FakeUpstream.WaitForAbortAsync"/>).</summary>
    public static FakeReply HangUntilAborted() => HoldUntil(Never);

    /// <summary>
    /// Streams <paramref name="eventsBeforeDrop"/> SSE events (every event counts, <c>ping</c> too), then ends the body and
    /// closes the connection without the terminal event. A non-stream answer is cut after half its JSON.
    /// </summary>
    public static FakeReply StreamThenDrop(int eventsBeforeDrop) => new() { CutAfterEvents = eventsBeforeDrop };

    /// <summary>Streams <paramref name="eventsBeforeHang"/> SSE events, then sends nothing more until the caller aborts.</summary>
    public static FakeReply StreamThenHang(int eventsBeforeHang) => new() { CutAfterEvents = eventsBeforeHang, HangAtCut = true };

    /// <summary>Sends the stream's 200 headers, completes <paramref name="headersSent"/>, then sends nothing more until the caller aborts.</summary>
    public static FakeReply HeadersThenHang(TaskCompletionSource headersSent) => new() { CutAfterEvents = 0, HangAtCut = true, HeadersSent = headersSent };

    /// <summary>Sends the whole default answer, terminal event included, then keeps the connection open until the caller aborts.</summary>
    public static FakeReply StreamThenLinger() => new() { HoldOpenAtEnd = true };

    /// <summary>Resets the connection before sending anything: the caller sees a transport error, no status.</summary>
    public static FakeReply ResetBeforeHeaders() => new() { Reset = true };

    /// <summary>Streams <paramref name="eventsBeforeReset"/> SSE events, then resets the connection mid-body once <paramref name="resetWhen"/> completes.</summary>
    public static FakeReply StreamThenReset(int eventsBeforeReset, Task resetWhen) => new() { CutAfterEvents = eventsBeforeReset, Reset = true, ResetWhen = resetWhen };

    /// <summary>Streams <paramref name="eventsBeforePause"/> SSE events, waits for <paramref name="resume"/>, then finishes normally.</summary>
    public static FakeReply StreamThenPause(int eventsBeforePause, Task resume) => new() { PauseAfterEvents = eventsBeforePause, Resume = resume };

    /// <summary>The default answer as whole JSON whatever <c>stream</c> says, as upstreams that ignore <c>stream: true</c> answer.</summary>
    public static FakeReply IgnoringStream() => new() { IgnoreStream = true };

    /// <summary>The default answer without any usage (no <c>usage</c> field, no usage chunk or event fields).</summary>
    public static FakeReply WithoutUsage() => new() { OmitUsage = true };

    /// <summary>The default answer, its usage reporting <paramref name="promptTokens"/> prompt (input) tokens: a conversation that fills a context window.</summary>
    public static FakeReply ReportingPromptTokens(int promptTokens) => new() { PromptTokens = promptTokens };

    /// <summary>The default answer in text, never a tool call: a model obeying a prompt that forbids tools.</summary>
    public static FakeReply InTextOnly() => new() { TextOnly = true };

    /// <summary>This reply, then the connection kept open until the caller aborts (a scripted stream that never ends).</summary>
    public FakeReply ThenHoldOpen() => this with { HoldOpenAtEnd = true };

    /// <summary>This scripted reply (<see cref="Status"/>), completing <paramref name="written"/> once its status, headers and body are flushed.</summary>
    public FakeReply Signalling(TaskCompletionSource written) => this with { Written = written };

    /// <summary>This reply, held before any header until <paramref name="release"/> completes.</summary>
    public FakeReply After(Task release) => this with { Release = release };
}
