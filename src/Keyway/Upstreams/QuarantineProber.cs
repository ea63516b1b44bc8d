using Keyway.Configuration;
using Keyway.Gateway;

namespace Keyway.Upstreams;

/// <summary>
/// Every probe interval, sends one tiny request with each quarantined key (through the same path as the admin
/// Test button) and frees the key when it answers; otherwise the key stays quarantined until an admin clears it.
/// </summary>
public sealed partial class QuarantineProber(
    CooldownBook book, RoutingTableHolder routing, RouteProber prober, KeywayOptions options, TimeProvider time, ILogger<QuarantineProber> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(
            options.Failover.ProbeInterval, time, ProbeQuarantinedAsync, new FailureStreak("A round of quarantine probes", time, logger), stoppingToken);

    /// <summary>One round: every quarantined key of an enabled provider, one after the other.</summary>
    public async Task ProbeQuarantinedAsync(CancellationToken cancellationToken)
    {
        var table = routing.Current;
        foreach (var state in book.Quarantined().ToList())
        {
            if (!table.TryGetProvider(state.ProviderId, out var provider)
                || provider.Keys.FirstOrDefault(key => key.KeyId == state.KeyId) is not { } key
                || ProbeModel(table, provider, key) is not { } model)
            {
                continue;
            }
            var result = await prober.ProbeAsync(provider, model, cancellationToken, key);
            if (result.Ok)
            {
                book.Clear(provider.ProviderId, key.KeyId);
                Log.Released(logger, key.Name, provider.ProviderId);
            }
        }
    }

    /// <summary>A model the key may serve: its first allowed model, else the model of a route target on its provider.</summary>
    private static string? ProbeModel(RoutingTable table, UpstreamProvider provider, UpstreamKey key) =>
        key.Models.FirstOrDefault()
            ?? table.RoutesOf(provider.GroupId).SelectMany(route => route.Targets).FirstOrDefault(target => target.Provider.ProviderId == provider.ProviderId)?.UpstreamModel;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Upstream key '{KeyName}' of provider {ProviderId} answered its probe and leaves quarantine")]
        public static partial void Released(ILogger logger, string keyName, string providerId);
    }
}
