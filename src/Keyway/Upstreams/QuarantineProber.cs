using Keyway.Configuration;
using Keyway.Gateway;
using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// Every probe interval, sends one tiny request with each quarantined key (through the same path as the admin
/// Test button) and frees the key when it answers; otherwise the key stays quarantined until an admin clears it. With
/// several instances on one PostgreSQL database, one of them probes a key per interval, the one that claims it first
/// (<see cref="KeyProbeClaims"/>); the others learn the outcome through the key states they share (<see cref="KeyHealthSync"/>).
/// </summary>
public sealed partial class QuarantineProber(
    CooldownBook book, RoutingTableHolder routing, RouteProber prober, KeyProbeClaims claims, KeywayOptions options, TimeProvider time,
    ILogger<QuarantineProber> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(
            options.Failover.ProbeInterval, time, ProbeQuarantinedAsync, new FailureStreak("A round of quarantine probes", time, logger), stoppingToken);

    /// <summary>
    /// How long a claim keeps the other instances off a key: a tenth short of the interval, so the instance that probed
    /// it finds it due again at its own next tick, although that tick may come a little before the claim's time plus
    /// the interval (the claim is made during a round, after the tick).
    /// </summary>
    private TimeSpan ClaimLease => options.Failover.ProbeInterval - options.Failover.ProbeInterval / 10;

    /// <summary>One round: every quarantined key of an enabled provider that this instance claims, one after the other.</summary>
    public async Task ProbeQuarantinedAsync(CancellationToken cancellationToken)
    {
        var table = routing.Current;
        var probes = book.Quarantined().Select(state => ProbeOf(table, state)).OfType<Probe>().ToList();
        if (probes.Count == 0)
        {
            return;
        }
        IReadOnlySet<string> claimed = new HashSet<string>();
        await DatabaseExchange.RunAsync(
            async bounded => claimed = await claims.ClaimAsync(probes.Select(probe => probe.Key.KeyId).ToList(), ClaimLease, bounded), cancellationToken);
        foreach (var (provider, key, model) in probes.Where(probe => claimed.Contains(probe.Key.KeyId)))
        {
            var result = await prober.ProbeAsync(provider, model, cancellationToken, key);
            if (result.Ok)
            {
                book.Clear(provider.ProviderId, key.KeyId);
                Log.Released(logger, key.Name, provider.ProviderId);
            }
        }
    }

    /// <summary>The probe of a quarantined key, or null when its provider or key is gone or it has no model to probe.</summary>
    private static Probe? ProbeOf(RoutingTable table, KeyHealthState state) =>
        table.TryGetProvider(state.ProviderId, out var provider)
        && provider.Keys.FirstOrDefault(key => key.KeyId == state.KeyId) is { } key
        && ProbeModel(table, provider, key) is { } model
            ? new Probe(provider, key, model)
            : null;

    /// <summary>A model the key may serve: its first allowed model, else the model of a route target on its provider.</summary>
    private static string? ProbeModel(RoutingTable table, UpstreamProvider provider, UpstreamKey key) =>
        key.Models.FirstOrDefault()
            ?? table.RoutesOf(provider.GroupId).SelectMany(route => route.Targets).FirstOrDefault(target => target.Provider.ProviderId == provider.ProviderId)?.UpstreamModel;

    private sealed record Probe(UpstreamProvider Provider, UpstreamKey Key, string Model);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Upstream key '{KeyName}' of provider {ProviderId} answered its probe and leaves quarantine")]
        public static partial void Released(ILogger logger, string keyName, string providerId);
    }
}
