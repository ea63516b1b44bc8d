using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>Why no key of a route's pools took a request, as the client is told.</summary>
internal readonly record struct KeyShortage(ForwardError Error, string Message)
{
    /// <summary>
    /// Keys at their max_concurrency free soonest (429, retry in a second); cooling or quarantined keys come back later
    /// (503); with neither, no key of the pools could ever serve the request (503, nothing to wait for).
    /// </summary>
    public static KeyShortage Of<TPlan>(FailoverRun<TPlan> run, string alias)
        where TPlan : class, IEndpointPlan =>
        run.AnyBusy ? new(ForwardError.AllKeysBusy, GatewayMessages.AllKeysBusy(alias))
        : run.AnyBlocked ? new(ForwardError.NoUsableKey, GatewayMessages.AllKeysCooling(alias))
        : new(ForwardError.NoUsableKey, GatewayMessages.NoKeyServes(alias));
}
