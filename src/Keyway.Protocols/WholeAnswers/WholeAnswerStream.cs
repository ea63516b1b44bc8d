using Keyway.Protocols.OpenAI;
using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation;

namespace Keyway.Protocols.WholeAnswers;

/// <summary>
/// A whole answer as the event stream its own protocol would have streamed, for a client that asked for a stream from an
/// upstream that ignored <c>stream: true</c> and answered JSON: a Chat completion as its chunks and <c>[DONE]</c>, an
/// Anthropic message as <c>message_start</c> … <c>message_stop</c>, a Response as <c>response.created</c> …
/// <c>response.completed</c>. The events go through the same watcher and translator as a streamed answer, so the client
/// gets the events it would have had and the log the same usage. Only for that unusual answer: it parses the whole body.
/// </summary>
public static class WholeAnswerStream
{
    /// <summary>
    /// The events, or why there are none: a Chat completion whose choice broke off (GLM's <c>network_error</c>, read
    /// from the document parsed for the events) is a failed answer, not a stream that ended; a body that is not an
    /// answer in <paramref name="format"/> (no choices, an error object…) says what its error object says, cut to
    /// <paramref name="maxErrorChars"/>, or nothing.
    /// </summary>
    public static WholeAnswerEvents ToEvents(WireFormat format, ReadOnlyMemory<byte> answer, int maxErrorChars)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return NoAnswer(answer, maxErrorChars);
            }
            if (format == WireFormat.OpenAIChat && ChatCompletionEvents.BrokeOff(root))
            {
                return new WholeAnswerEvents(null, BrokenOffAnswer.Message, BrokeOff: true);
            }
            var events = new SseEventWriter();
            var written = format switch
            {
                WireFormat.AnthropicMessages => AnthropicMessageEvents.Write(root, events),
                WireFormat.OpenAIResponses => ResponseEvents.Write(root, events),
                _ => ChatCompletionEvents.Write(root, events),
            };
            return written ? new WholeAnswerEvents(events.ToArray(), null, BrokeOff: false) : NoAnswer(answer, maxErrorChars);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return NoAnswer(answer, maxErrorChars);
        }
    }

    /// <summary>A body that is no answer: what its error object says, when it holds one instead of an answer.</summary>
    private static WholeAnswerEvents NoAnswer(ReadOnlyMemory<byte> body, int maxErrorChars) =>
        new(null, UpstreamErrorMessage.ErrorObjectMessage(body.Span, maxErrorChars), BrokeOff: false);
}
