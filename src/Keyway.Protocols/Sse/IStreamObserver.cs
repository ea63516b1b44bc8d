using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Sse;

/// <summary>What the gateway learns from an upstream stream in any protocol, event by event; never throws.</summary>
public interface IStreamObserver
{
    ObservedEvent Observe(in SseEvent e);

    TokenUsage Usage { get; }

    /// <summary>The protocol's own end of stream arrived (not just the connection closing).</summary>
    bool Completed { get; }

    /// <summary>An error the upstream reported inside the stream, if any.</summary>
    string? ErrorMessage { get; }

    /// <summary>The vendor's own failure status behind <see cref="ObservedEvent.VendorFailure"/>, once one came.</summary>
    VendorStatusInBody.Failure? VendorFailure => null;
}
