using System.Diagnostics.Metrics;
using Keyway.Gateway;
using Keyway.Upstreams;

namespace Keyway.Telemetry.Metrics;

/// <summary>
/// The observable side of the gateway, read only when /metrics is scraped: the request-log queue, the health of the
/// upstream keys and the routing snapshot's version. Nothing here runs on the request path.
/// </summary>
public static class GatewayGauges
{
    public static void Register(KeywayMetrics metrics, RequestLogQueue queue, RequestLogStatus logStatus, CooldownBook cooldowns, RoutingTableHolder routing)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("keyway_log_queue_depth", () => (long)queue.Depth, "{entry}", "Request-log entries waiting for the writer.");
        meter.CreateObservableCounter("keyway_log_dropped", () => logStatus.Dropped, "{entry}", "Request-log entries dropped because the queue was full or closed.");
        meter.CreateObservableCounter("keyway_log_failed", () => logStatus.Failed, "{row}", "Request-log rows given up: pushed out of the full retry buffer during a database outage, or still refused at shutdown.");
        meter.CreateObservableCounter("keyway_log_written", () => logStatus.Written, "{row}", "Request-log rows committed to the database.");
        meter.CreateObservableGauge("keyway_snapshot_version", () => routing.Version, "{snapshot}",
            "Routing snapshots built by this process (1 after start-up, +1 per configuration change it applied).");
        meter.CreateObservableGauge("keyway_upstream_keys", () => KeyStates(cooldowns, routing.Current), "{key}",
            "Upstream keys by provider and state: cooling (a cooldown, whole-key or for one model, is running) or quarantined.");
        meter.CreateObservableGauge("keyway_key_waits", () => KeyWaits(cooldowns, routing.Current), "{request}",
            "Requests waiting now for a key of the provider's pool (each key at its max_concurrency or cooling; key_wait_seconds).");
    }

    private static IEnumerable<Measurement<long>> KeyWaits(CooldownBook cooldowns, RoutingTable table) =>
        table.ProviderIds.Select(provider => new Measurement<long>(cooldowns.CircuitOf(provider).Waiting, new KeyValuePair<string, object?>("provider", provider)));

    private static IEnumerable<Measurement<long>> KeyStates(CooldownBook cooldowns, RoutingTable table)
    {
        var now = cooldowns.Now;
        var states = cooldowns.States().ToList();
        foreach (var provider in table.ProviderIds)
        {
            var ofProvider = states.Where(state => state.ProviderId == provider).ToList();
            var quarantined = ofProvider.Count(state => state.QuarantineReason is not null);
            var cooling = ofProvider.Count(state => state.QuarantineReason is null
                && (state.CooldownUntil > now || state.ModelCooldowns.Values.Any(until => until > now)));
            yield return new Measurement<long>(cooling, new KeyValuePair<string, object?>("provider", provider), new("state", "cooling"));
            yield return new Measurement<long>(quarantined, new KeyValuePair<string, object?>("provider", provider), new("state", "quarantined"));
        }
    }
}
