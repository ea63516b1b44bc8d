using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A fake LLM upstream on 127.0.0.1:0 that speaks OpenAI Chat Completions (<c>POST /v1/chat/completions</c>),
/// OpenAI Responses (<c>POST /v1/responses</c>) and Anthropic Messages (<c>POST /v1/messages</c>,
/// <c>POST /v1/messages/count_tokens</c>), stream and non-stream, with usage, tool calls and scripted failures, and
/// answers <c>POST /v1/audio/speech</c> with binary audio and the multipart surfaces with a summary of the form.
/// Every other path echoes <c>{"path","received_model"}</c>. Every request is recorded.
/// OpenAI-protocol providers use base_url <c>{BaseAddress}v1</c>; Anthropic-protocol providers use <see cref="BaseAddress"/>.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    /// <summary>Prompt (input) tokens every default reply reports.</summary>
    public const int PromptTokens = 11;
    /// <summary>Completion (output) tokens every default reply reports.</summary>
    public const int CompletionTokens = 7;
    /// <summary>OpenAI total_tokens: prompt + completion.</summary>
    public const int TotalTokens = PromptTokens + CompletionTokens;
    /// <summary>OpenAI prompt_tokens_details.cached_tokens and Anthropic cache_read_input_tokens.</summary>
    public const int CachedTokens = 3;
    /// <summary>Anthropic cache_creation_input_tokens.</summary>
    public const int CacheCreationTokens = 5;
    /// <summary>OpenAI completion_tokens_details.reasoning_tokens.</summary>
    public const int ReasoningTokens = 2;
    /// <summary>Anthropic output_tokens in <c>message_start</c>, before the final count in <c>message_delta</c>.</summary>
    public const int StartOutputTokens = 1;

    private readonly WebApplication _app;
    private readonly FakeScript _script = new();
    private readonly FakeRecorder _recorder = new();
    private readonly FakeCounter _aborts = new();
    private readonly FakeCounter _arrivals = new();
    private readonly FakeCounter _brokenBodies = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _speechRelease = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;

    private FakeUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The root address, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>When set, every default reply leaves usage out (as an upstream that never reports it).</summary>
    public bool OmitUsage { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _recorder.Snapshot();
    public RecordedRequest Last => _recorder.Last();
    public int RequestCount => _recorder.Count;

    /// <summary>Requests whose caller went away (connection closed or reset) before the fake finished its reply.</summary>
    public int AbortedRequests => _aborts.Value;

    /// <summary>Requests whose head arrived, whether or not their body then came whole.</summary>
    public int Arrivals => _arrivals.Value;

    /// <summary>Requests whose body could not be read to its end (the caller aborted it, or it was malformed): none was recorded.</summary>
    public int BrokenBodies => _brokenBodies.Value;

    /// <summary>The default reply text for a model; the tool-free answer of every protocol.</summary>
    public static string ReplyText(string model) => FakeConversation.ReplyText(model);

    /// <summary>The answer text after a tool result: the default text followed by the tool's output.</summary>
    public static string ToolResultReplyText(string model, string toolResult) => FakeConversation.ToolResultReplyText(model, toolResult);

    /// <summary>Text that, in the last user message of a request offering tools, makes the fake call a tool.</summary>
    public const string ToolTrigger = FakeConversation.ToolTrigger;

    public static async Task<FakeUpstream> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeUpstream(app, new Uri("http://127.0.0.1/"));
        fake.MapEndpoints();
        fake.BaseAddress = await LoopbackApp.StartAsync(app);
        return fake;
    }

    /// <summary>Scripts the next <paramref name="times"/> requests (any path), in order, after earlier scripted ones.</summary>
    public void Enqueue(FakeReply reply, int times = 1) => _script.Enqueue(reply, times);

    /// <summary>
    /// Scripts requests authenticated with <paramref name="upstreamKey"/> (Bearer or x-api-key): the next
    /// <paramref name="times"/> of them, or all of them when null. These win over every other script.
    /// </summary>
    public void ReplyForKey(string upstreamKey, FakeReply reply, int? times = null) => _script.ForKey(upstreamKey, reply, times);

    /// <summary>Scripts every request not covered by <see cref="Enqueue"/>; null restores the default behaviour.</summary>
    public void ReplyToAll(FakeReply? reply) => _script.ReplyToAll(reply);

    /// <summary>Completes once at least <paramref name="count"/> requests have been recorded since the last reset.</summary>
    public Task WaitForRequestsAsync(int count, CancellationToken cancellationToken = default) =>
        _recorder.WaitForCountAsync(count, cancellationToken);

    /// <summary>Completes once at least <paramref name="count"/> requests were aborted by their caller.</summary>
    public Task WaitForAbortAsync(int count = 1, CancellationToken cancellationToken = default) =>
        _aborts.WaitForAsync(count, cancellationToken);

    /// <summary>Completes once the heads of at least <paramref name="count"/> requests have arrived.</summary>
    public Task WaitForArrivalsAsync(int count, CancellationToken cancellationToken = default) =>
        _arrivals.WaitForAsync(count, cancellationToken);

    /// <summary>Completes once at least <paramref name="count"/> request bodies failed to be read (<see cref="BrokenBodies"/>).</summary>
    public Task WaitForBrokenBodiesAsync(int count, CancellationToken cancellationToken = default) =>
        _brokenBodies.WaitForAsync(count, cancellationToken);

    /// <summary>Lets <c>/v1/audio/speech</c> send the second half of its audio.</summary>
    public void ReleaseSpeech() => _speechRelease.TrySetResult();

    /// <summary>Forgets recorded requests, scripted replies, abort counts and <see cref="OmitUsage"/>.</summary>
    public void Reset()
    {
        _recorder.Clear();
        _script.Clear();
        _aborts.Reset();
        _arrivals.Reset();
        _brokenBodies.Reset();
        _speechRelease = new(TaskCreationOptions.RunContinuationsAsynchronously);
        OmitUsage = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private void MapEndpoints()
    {
        _app.MapPost("/v1/chat/completions", context => HandleAsync(context, FakeOpenAIChat.RespondAsync));
        _app.MapPost("/v1/responses", context => HandleAsync(context, FakeOpenAIResponses.RespondAsync));
        _app.MapPost("/v1/messages", context => HandleAsync(context, FakeAnthropicMessages.RespondAsync));
        _app.MapPost("/v1/messages/count_tokens", context => HandleAsync(context, FakeAnthropicMessages.CountTokensAsync));
        _app.MapPost("/v1/audio/speech", context => HandleAsync(context, exchange => FakeSpeech.RespondAsync(exchange, _speechRelease.Task)));
        foreach (var path in (string[])["/v1/audio/transcriptions", "/v1/audio/translations", "/v1/images/edits"])
        {
            _app.MapPost(path, context => HandleAsync(context, FakeMultipart.RespondAsync, FakeMultipart.ReadAsync));
        }
        _app.MapFallback(context => HandleAsync(context, FakeEcho.RespondAsync));
    }

    private async Task HandleAsync(
        HttpContext context, Func<FakeExchange, Task> respondByDefault, Func<HttpRequest, CancellationToken, Task<RecordedRequest>>? read = null)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        _arrivals.Increment();
        RecordedRequest request;
        try
        {
            request = await (read ?? RecordedRequest.ReadAsync)(context.Request, cancellation.Token);
        }
        catch (Exception)
        {
            _brokenBodies.Increment();
            throw;
        }
        var reply = _script.Next(request.UpstreamKey);
        var exchange = new FakeExchange(context, request, reply, OmitUsage, Interlocked.Increment(ref _sequence), cancellation.Token);
        _recorder.Add(request);
        try
        {
            await exchange.HoldAsync();
            await (reply.StatusCode is null ? respondByDefault(exchange) : exchange.WriteScriptedAsync());
            await exchange.LingerAsync();
        }
        catch (Exception) when (exchange.Dropped || _stopping.IsCancellationRequested)
        {
            // The fake cut the reply short on purpose, or is shutting down: the body simply ends here.
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            _aborts.Increment();
        }
    }
}
