using Keyway.Protocols;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>Reads usage and completion from the events passing through a relay; never throws into it.</summary>
internal interface IStreamWatcher
{
    /// <summary>Observes one event; false when the client must not see it.</summary>
    bool Observe(in SseEvent sseEvent);

    TokenUsage Usage { get; }

    /// <summary>The upstream sent its protocol's end of stream (not just closed the connection).</summary>
    bool Completed { get; }

    /// <summary>The stream has no end event Keyway knows: the upstream closing the connection is its end.</summary>
    bool EndsAtClose { get; }

    /// <summary>An error event the upstream sent inside the stream, if any.</summary>
    string? ErrorMessage { get; }

    /// <summary>
    /// <see cref="ErrorMessage"/> came in a shape the client's protocol has no error for (MiniMax's <c>base_resp</c>), and
    /// it and what followed were kept from the client: the stream is to end with the protocol's error event.
    /// </summary>
    bool ErrorWithheld => false;

    /// <summary>The vendor's own failure status <see cref="ErrorMessage"/> came from (MiniMax's <c>base_resp</c>): the key fails as its code says.</summary>
    VendorStatusInBody.Failure? VendorFailure => null;

    /// <summary>What passed so far must not reach the client yet: the stream has only opened (<see cref="LeadingErrorWatcher"/>).</summary>
    bool HoldsBack => false;

    /// <summary>Waits for <paramref name="read"/> while <see cref="HoldsBack"/>; true when the hold ended first and what was held may go out.</summary>
    Task<bool> ReleasesOpeningBefore(Task read) => Task.FromResult(false);
}
