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
    /// The events, or null when the body is not an answer in <paramref name="format"/> (no choices, an error object…);
    /// or when a Chat completion's choice broke off (GLM's <c>network_error</c>): then <paramref name="brokeOff"/> is what a
    /// client is told of it, read from the document parsed for the events, as a failed answer, not a stream that ended.
    /// </summary>
    public static byte[]? ToEvents(WireFormat format, ReadOnlyMemory<byte> answer, out string? brokeOff)
    {
        brokeOff = null;
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (format == WireFormat.OpenAIChat && ChatCompletionEvents.BrokeOff(root))
            {
                brokeOff = BrokenOffAnswer.Message;
                return null;
            }
            var events = new SseEventWriter();
            var written = format switch
            {
                WireFormat.AnthropicMessages => AnthropicMessageEvents.Write(root, events),
                WireFormat.OpenAIResponses => ResponseEvents.Write(root, events),
                _ => ChatCompletionEvents.Write(root, events),
            };
            return written ? events.ToArray() : null;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }
}
