namespace Keyway.Protocols.Sse;

/// <summary>What a stream observer learned from one event, so the forwarder can decide whether to pass it on.</summary>
public enum ObservedEvent
{
    /// <summary>Ordinary content (or anything unreadable): forward it.</summary>
    Other,

    /// <summary>
    /// An OpenAI chunk with usage and no choices: the chunk <c>stream_options.include_usage</c> adds. The forwarder
    /// hides it when it injected include_usage itself.
    /// </summary>
    UsageOnly,

    /// <summary>The protocol's end of stream: OpenAI <c>data: [DONE]</c>, Anthropic <c>message_stop</c>.</summary>
    Done,

    /// <summary>An error reported inside the stream; the observer's ErrorMessage holds its text.</summary>
    Error,

    /// <summary>
    /// A vendor's own failure status in a chunk without a choice (MiniMax's <c>base_resp</c>), which no client of the
    /// protocol reads as an error; the observer's ErrorMessage holds its text. The forwarder keeps it from the client and
    /// ends the stream with the protocol's error event.
    /// </summary>
    VendorFailure,
}
