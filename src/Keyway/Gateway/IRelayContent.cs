namespace Keyway.Gateway;

/// <summary>A request body that is not a JSON array in memory: built anew for each attempt, while it still can be.</summary>
internal interface IRelayContent
{
    /// <summary>False once an attempt consumed a part of the client's body that was not kept: no later attempt may follow.</summary>
    bool CanReplay { get; }

    /// <summary>
    /// Why reading the client's body failed while an attempt sent it (the client left, or its form broke off): the
    /// upstream's request was aborted, and the fault is the client's, not the upstream's. Null while it reads fine.
    /// </summary>
    Exception? ReadFailure { get; }

    /// <summary>
    /// The body for <paramref name="exchange"/>'s current attempt, which tells it when the body went out in full
    /// (<see cref="ProxyExchange.BodySent"/>) and stops <paramref name="deadline"/> while it waits on the client.
    /// </summary>
    HttpContent Create(ProxyExchange exchange, AttemptDeadline deadline);
}
