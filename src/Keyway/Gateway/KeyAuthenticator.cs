using Keyway.Telemetry.Metrics;

namespace Keyway.Gateway;

/// <summary>
/// The door of every data-plane request that needs an issued key (forwarded calls, the model list, stored responses,
/// the Responses WebSocket's handshake): <see cref="GatewayAuth"/>, and each refusal counted in /metrics as 401 with no
/// alias or provider, since a refused caller has no request-log row that would count it. Checks of a key already
/// admitted (an open WebSocket's) use <see cref="GatewayAuth"/> itself: their refusals end in a log row or a close.
/// </summary>
public sealed class KeyAuthenticator(KeywayMetrics metrics, TimeProvider time)
{
    /// <summary>The request's issued key in <paramref name="table"/>, or the reason it has none (then already counted).</summary>
    internal GatewayAuth.Outcome Authenticate(HttpRequest request, RoutingTable table)
    {
        var outcome = GatewayAuth.Authenticate(request, table, time.GetUtcNow());
        if (outcome.Key is null)
        {
            metrics.RecordUnauthenticated();
        }
        return outcome;
    }
}
