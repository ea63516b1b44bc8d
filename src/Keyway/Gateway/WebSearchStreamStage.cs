using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Usage;
using Keyway.Tools;

namespace Keyway.Gateway;

/// <summary>
/// The search loop's stage in front of a streamed round, in the upstream's protocol: it holds the round's events
/// until the round shows the client something (text, or a call of a client tool) and from then on lets them through
/// live — to the client as they are, or into the client's stream translator, which never knows rounds existed. A
/// round that ends holding only <c>tavily_search</c> calls is never shown: the loop searches and streams the next.
/// When earlier rounds ran, their tokens are added to the usage the client sees.
/// </summary>
internal sealed class WebSearchStreamStage(
    WebSearchDialect dialect, IStreamTranslator? translator, TokenUsage? earlier, Func<int, string, byte[]> errorEvent) : IStreamTranslator
{
    private readonly WebSearchRoundReader _round = dialect.NewRound();
    private readonly ArrayBufferWriter<byte> _held = new();

    /// <summary>The round has started reaching the client.</summary>
    public bool Live { get; private set; }

    /// <summary>The client's translated stream is whole; a stream passed as it is ends with the upstream.</summary>
    public bool Finished => translator?.Finished == true;

    /// <summary>
    /// The round's events with data so far, shown or held: the output's lower bound when its usage never comes
    /// (<see cref="UsageEstimate.OfStream"/>), as a plain stream's relayed events are.
    /// </summary>
    public int DataEvents { get; private set; }

    /// <summary>The round so far as a non-streamed answer.</summary>
    public JsonObject Answer() => _round.Answer();

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (upstreamEvent.HasData)
        {
            DataEvents++;
        }
        if (Live)
        {
            Forward(upstreamEvent, output, null);
            return;
        }
        var data = Parse(upstreamEvent);
        if (data is not null && _round.Observe(data, upstreamEvent.EventName))
        {
            Release(output);
            Forward(upstreamEvent, output, data);
            return;
        }
        _held.Write(upstreamEvent.Raw.Span);
    }

    /// <summary>The final round ended: whatever it still holds (a round of reasoning only, say) goes out, then the close.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        Release(output);
        translator?.Complete(output);
    }

    public void Fail(int status, string message, IBufferWriter<byte> output)
    {
        if (translator is null)
        {
            output.Write(errorEvent(status, message));
            return;
        }
        translator.Fail(status, message, output);
    }

    private void Release(IBufferWriter<byte> output)
    {
        Live = true;
        if (_held.WrittenCount == 0)
        {
            return;
        }
        using var splitter = new SseEventSplitter();
        splitter.Append(_held.WrittenSpan);
        splitter.Complete();
        while (splitter.TryReadEvent(out var held))
        {
            Forward(held, output, null);
        }
        _held.ResetWrittenCount();
    }

    /// <summary>Passes an event on; one carrying usage gets the earlier rounds' tokens added first.</summary>
    private void Forward(in SseEvent upstreamEvent, IBufferWriter<byte> output, JsonObject? data)
    {
        if (earlier is null || upstreamEvent.Data.Span.IndexOf("\"usage\""u8) < 0 || (data ?? Parse(upstreamEvent)) is not { } parsed
            || _round.UsageOf(parsed) is not { } usage)
        {
            Pass(upstreamEvent, output);
            return;
        }
        dialect.AddUsage(usage, earlier);
        using var splitter = new SseEventSplitter();
        splitter.Append(Frame(upstreamEvent.EventName, parsed));
        splitter.Complete();
        while (splitter.TryReadEvent(out var rewritten))
        {
            Pass(rewritten, output);
        }
    }

    private void Pass(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (translator is null)
        {
            output.Write(upstreamEvent.Raw.Span);
            return;
        }
        translator.OnEvent(upstreamEvent, output);
    }

    private static byte[] Frame(ReadOnlySpan<byte> eventName, JsonObject data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        if (!eventName.IsEmpty)
        {
            buffer.Write("event: "u8);
            buffer.Write(eventName);
            buffer.Write("\n"u8);
        }
        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            data.WriteTo(writer);
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static JsonObject? Parse(in SseEvent sseEvent)
    {
        if (!sseEvent.HasData || sseEvent.Data.Span.SequenceEqual("[DONE]"u8))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(sseEvent.Data.Span) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
