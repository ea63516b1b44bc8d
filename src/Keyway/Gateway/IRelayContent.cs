namespace Keyway.Gateway;

/// <summary>A request body that is not a JSON array in memory: built anew for each attempt, while it still can be.</summary>
internal interface IRelayContent
{
    /// <summary>False once an attempt consumed a part of the client's body that was not kept: no later attempt may follow.</summary>
    bool CanReplay { get; }

    /// <summary>The body for <paramref name="exchange"/>'s current attempt, which tells it when the body went out in full (<see cref="ProxyExchange.BodySent"/>).</summary>
    HttpContent Create(ProxyExchange exchange);
}
