using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>One request being answered: what was asked, how the script bends the answer, and the response writers.</summary>
internal sealed class FakeExchange(
    HttpContext context,
    RecordedRequest request,
    FakeReply reply,
    bool omitUsageGlobally,
    long sequence,
    CancellationToken cancellationToken)
{
    /// <summary>A fixed creation time keeps every reply deterministic.</summary>
    public const long CreatedUnixSeconds = 1_700_000_000;

    private int _eventsWritten;

    public RecordedRequest Request => request;
    public HttpContext Context => context;
    public CancellationToken Cancellation => cancellationToken;
    public JsonElement Body => request.Parsed;
    public string Model => request.Model ?? "unknown";
    public bool Stream => FakeJson.IsTrue(Body, "stream") && !reply.IgnoreStream;
    public bool OmitUsage => omitUsageGlobally || reply.OmitUsage;
    public int PromptTokens => reply.PromptTokens ?? FakeUpstream.PromptTokens;
    public bool TextOnly => reply.TextOnly;

    /// <summary>Unique per request, so ids stay distinct under parallel calls.</summary>
    public string Id(string prefix) => prefix + sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>True once the fake cut the reply short on purpose (so whatever the caller does next is not an abort).</summary>
    public bool Dropped { get; private set; }

    public async Task HoldAsync()
    {
        if (reply.Release is { } release)
        {
            await release.WaitAsync(cancellationToken);
        }
        if (reply.Reset && reply.CutAfterEvents is null)
        {
            Dropped = true;
            context.Abort();
            throw new OperationCanceledException("The fake upstream reset the connection before any header, as scripted.");
        }
    }

    /// <summary>The answer is complete; a lingering reply keeps the connection open until the caller aborts.</summary>
    public async Task LingerAsync()
    {
        if (reply.HoldOpenAtEnd)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public async Task WriteScriptedAsync()
    {
        var response = context.Response;
        response.StatusCode = reply.StatusCode ?? StatusCodes.Status200OK;
        response.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(reply.Body), cancellationToken);
        if (reply.Written is { } written)
        {
            await response.Body.FlushAsync(cancellationToken);
            written.TrySetResult();
        }
    }

    public async Task WriteJsonAsync(JsonNode body)
    {
        var bytes = Encoding.UTF8.GetBytes(FakeJson.Serialize(body));
        context.Response.ContentType = "application/json";
        CloseAfterACut();
        if (reply.CutAfterEvents is null)
        {
            await context.Response.Body.WriteAsync(bytes, cancellationToken);
            return;
        }
        await WriteAndFlushAsync(bytes.AsMemory(0, bytes.Length / 2));
        await CutAsync();
    }

    public async Task StartStreamAsync()
    {
        context.Response.ContentType = FakeSse.ContentType;
        context.Response.Headers.CacheControl = "no-cache";
        CloseAfterACut();
        await context.Response.StartAsync(cancellationToken);
        // The headers leave at once, as a real upstream's do before its first event.
        await context.Response.Body.FlushAsync(cancellationToken);
        reply.HeadersSent?.TrySetResult();
    }

    /// <summary>Writes and flushes one event, unless the script cuts the stream before it.</summary>
    public async Task WriteEventAsync(string? eventName, JsonNode data) => await WriteFrameAsync(FakeSse.Frame(eventName, data));

    public async Task WriteDoneAsync() => await WriteFrameAsync(FakeSse.Done());

    private async Task WriteFrameAsync(byte[] frame)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_eventsWritten == reply.PauseAfterEvents)
        {
            await reply.Resume!.WaitAsync(cancellationToken);
        }
        if (_eventsWritten == reply.CutAfterEvents)
        {
            await CutAsync();
        }
        await WriteAndFlushAsync(frame);
        _eventsWritten++;
    }

    private async Task WriteAndFlushAsync(ReadOnlyMemory<byte> bytes)
    {
        await context.Response.Body.WriteAsync(bytes, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    // A cut must still deliver what was written before it: aborting the connection would discard bytes Kestrel
    // has not sent yet, so the body ends normally and "Connection: close" makes Kestrel close the socket after it.
    private void CloseAfterACut()
    {
        if (reply.CutAfterEvents is not null && !reply.HangAtCut && !reply.Reset)
        {
            context.Response.Headers.Connection = "close";
        }
    }

    /// <summary>Ends the reply early: either wait for the caller to give up, or unwind so the body ends here.</summary>
    private async Task CutAsync()
    {
        if (reply.HangAtCut)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        Dropped = true;
        if (reply.Reset)
        {
            // An abort discards what Kestrel has not sent yet: the test says when the caller has the events before it.
            if (reply.ResetWhen is { } resetWhen)
            {
                await resetWhen.WaitAsync(cancellationToken);
            }
            context.Abort();
        }
        throw new OperationCanceledException("The fake upstream cut the reply short as scripted.");
    }
}
