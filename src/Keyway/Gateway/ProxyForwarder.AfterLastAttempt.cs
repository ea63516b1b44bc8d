using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Step 4's last word, when no look at the route's pools relayed an answer (every target and key tried or passed over,
/// the client's body not sendable again, or the wait for a key over): the answer held from a retryable failure is
/// relayed, else the last attempt's failure is the client's error, else the pools' shortage is (no key at all, every
/// key busy or cooling).
/// </summary>
public sealed partial class ProxyForwarder
{
    private readonly CoolingPoolWarnings _coolingWarnings = new();

    /// <returns>False when no target of the route can serve this request, as <see cref="SendAndRelayAsync"/> returns it; nothing was written then.</returns>
    private async Task<bool> AnswerAfterLastAttemptAsync(ProxyExchange exchange, FailoverRun<RelayPlan> run, AttemptOutcome outcome)
    {
        exchange.RetryAt = run.EarliestRecovery;
        if (outcome.Held is { } held)
        {
            using var idle = AttemptCancellation(exchange, held.Target.Provider.Timeout);
            await RelayAttemptAsync(exchange, held.Plan, held.Response, held.Key, idle);
            return true;
        }
        if (outcome.NoAnswer is { } noAnswer)
        {
            if (noAnswer.Failure is { } failure)
            {
                exchange.StatusCode = AnswerStatusOf(failure);
            }
            await FailAsync(exchange, noAnswer.Error, noAnswer.Message);
            return true;
        }
        if (!run.AnyServable)
        {
            return false;
        }
        var route = exchange.Route!;
        if (route.Targets.All(target => target.Provider.Keys.Count == 0))
        {
            await FailAsync(exchange, ForwardError.NoUsableKey, GatewayMessages.NoUsableKey(route.Targets[0].Provider.ProviderId));
            return true;
        }
        var now = time.GetUtcNow();
        var provider = route.Targets[0].Provider;
        var shortage = KeyShortage.Of(run, route.Alias, now, provider.Policy.ProbeInterval);
        exchange.RetryAt = shortage.RetryAt;
        var busy = shortage.Error == ForwardError.AllKeysBusy;
        if (busy)
        {
            cooldowns.BusyWarnings.Refused(logger, provider, route.Alias, now);
        }
        // A busy pool's refusal is in the warning above; a cooling pool's warns once per cooldown.
        var quiet = busy || shortage is { Cooling: true, RetryAt: { } recovery } && !_coolingWarnings.ShouldWarn(provider.ProviderId, now, recovery);
        await FailAsync(exchange, shortage.Error, shortage.Message, quiet ? LogLevel.Debug : LogLevel.Warning);
        return true;
    }
}
