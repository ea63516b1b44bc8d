namespace Keyway.Gateway;

/// <summary>
/// The end of a graceful stop's drain window, met by an attempt, a relay or a wait for a key: the request still in flight
/// is answered <see cref="ForwardError.GatewayStopping"/>.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>
    /// Whether the drain window's end stopped the attempt: then the client gets the 503 in its protocol (an error event
    /// when its stream has begun) and the log says so, and no key is blamed.
    /// </summary>
    private async Task<bool> EndedByDrainAsync(ProxyExchange exchange)
    {
        if (!drain.HasEnded)
        {
            return false;
        }
        await FailForDrainAsync(exchange);
        return true;
    }

    private Task FailForDrainAsync(ProxyExchange exchange) => FailAsync(exchange, ForwardError.GatewayStopping, GatewayMessages.DrainEnded(options.DrainTimeout));
}
