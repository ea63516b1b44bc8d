using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.OpenAI;

/// <summary>
/// Watches an OpenAI Responses stream (https://platform.openai.com/docs/api-reference/responses-streaming) for
/// the terminal event — <c>response.completed</c>, <c>response.incomplete</c> or <c>response.failed</c> — its
/// usage, and errors (<c>response.failed</c>, <c>error</c>). Never throws: unreadable events are passed over.
/// </summary>
public sealed class ResponsesStreamObserver : IStreamObserver
{
    private const int MaxErrorChars = 1000;

    public TokenUsage Usage { get; private set; } = TokenUsage.Unknown;

    /// <summary>A terminal event arrived (a Responses stream that ends without one is broken: Codex says so too).</summary>
    public bool SawTerminalEvent { get; private set; }

    public string? ErrorMessage { get; private set; }

    public bool Completed => SawTerminalEvent;

    public ObservedEvent Observe(in SseEvent e)
    {
        if (!e.HasData)
        {
            return ObservedEvent.Other;
        }
        try
        {
            return ObserveEvent(e.Data.Span);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return ObservedEvent.Other;
        }
    }

    private ObservedEvent ObserveEvent(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ObservedEvent.Other;
        }
        string? type = null;
        var usage = TokenUsage.Unknown;
        string? failure = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonReading.ReadStringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("response"u8) && JsonReading.ReadStartObject(ref reader))
            {
                usage = ReadResponse(ref reader, out failure);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        switch (type)
        {
            case "response.completed" or "response.incomplete":
                SawTerminalEvent = true;
                Usage = Usage.MergedWith(usage);
                return ObservedEvent.Done;
            case "response.failed" or "error":
                SawTerminalEvent |= type == "response.failed";
                Usage = Usage.MergedWith(usage);
                ErrorMessage = failure ?? UpstreamErrorMessage.Extract(data, MaxErrorChars);
                return ObservedEvent.Error;
            default:
                return ObservedEvent.Other;
        }
    }

    /// <summary>Reads the response object's <c>usage</c> and <c>error.message</c>; the reader stands on its StartObject.</summary>
    private static TokenUsage ReadResponse(ref Utf8JsonReader reader, out string? errorMessage)
    {
        var usage = TokenUsage.Unknown;
        errorMessage = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("usage"u8) && JsonReading.ReadStartObject(ref reader))
            {
                usage = UsageJson.ReadResponses(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8) && JsonReading.ReadStartObject(ref reader))
            {
                errorMessage = ReadMessage(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return usage;
    }

    private static string? ReadMessage(ref Utf8JsonReader reader)
    {
        string? message = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                message = JsonReading.ReadStringOrNull(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return message is { Length: > MaxErrorChars } ? message[..MaxErrorChars] : message;
    }
}
