using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// Watches an Anthropic Messages stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
/// input and cache counts from <c>message_start</c>, the cumulative counts of each <c>message_delta</c>,
/// <c>message_stop</c> and the <c>error</c> event. Content deltas and pings are skipped without parsing.
/// Never throws: unreadable events are passed over.
/// </summary>
public sealed class MessagesStreamObserver : IStreamObserver
{
    private const int MaxErrorChars = 1000;

    public TokenUsage Usage { get; private set; } = TokenUsage.Unknown;

    /// <summary>The <c>delta.stop_reason</c> of the last <c>message_delta</c> that had one.</summary>
    public string? StopReason { get; private set; }

    public bool SawMessageStop { get; private set; }

    /// <summary>The message of an <c>error</c> event.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>The <c>error.type</c> of an <c>error</c> event, e.g. <c>overloaded_error</c>.</summary>
    public string? ErrorType { get; private set; }

    public bool Completed => SawMessageStop;

    public ObservedEvent Observe(in SseEvent e)
    {
        var name = e.EventName;
        if (!e.HasData || name.StartsWith("content_block"u8) || name.SequenceEqual("ping"u8))
        {
            return ObservedEvent.Other;
        }

        var data = e.Data.Span;
        try
        {
            var fields = MessagesEventFields.Read(data);
            var type = fields.Type ?? (name.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(name));
            return Apply(type, fields, data);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return name.SequenceEqual("error"u8) ? RecordError(null, data) : ObservedEvent.Other;
        }
    }

    private ObservedEvent Apply(string? type, MessagesEventFields fields, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case "message_start" when fields.MessageUsage is not null:
                Usage = Usage.MergedWith(fields.MessageUsage);
                return ObservedEvent.Other;
            case "message_delta":
                Usage = fields.Usage is null ? Usage : Usage.MergedWith(fields.Usage);
                StopReason = fields.StopReason ?? StopReason;
                return ObservedEvent.Other;
            case "message_stop":
                SawMessageStop = true;
                return ObservedEvent.Done;
            case "error":
                return RecordError(fields.ErrorType, data);
            default:
                return ObservedEvent.Other;
        }
    }

    private ObservedEvent RecordError(string? errorType, ReadOnlySpan<byte> data)
    {
        ErrorType = errorType;
        ErrorMessage = UpstreamErrorMessage.Extract(data, MaxErrorChars);
        return ObservedEvent.Error;
    }
}
