using Keyway.Gateway;

namespace Keyway.Telemetry;

/// <summary>
/// Exchanges issued keys' usage and rate windows, and capped upstream keys' requests in flight, with the database every
/// <see cref="Interval"/>: this instance's counts out, the other instances' in (<see cref="KeyUsageCounters.SyncAsync"/>,
/// <see cref="KeyRateWindows.SyncAsync"/>).
/// Reads once before the gateway serves, so a restart keeps the day's and the month's budgets and the running minute,
/// and writes once more on a graceful stop.
/// </summary>
public sealed class KeyUsageSyncService(KeyUsageCounters counters, KeyRateWindows windows, TimeProvider time, ILogger<KeyUsageSyncService> logger)
    : PeriodicFlushService(Interval, time, new FailureStreak("Exchanging issued keys' usage and rate windows with the database", time, logger))
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counters.SyncAsync(cancellationToken);
        }
        finally
        {
            // Also when the usage could not be exchanged: the windows' exchange lets the other instances' requests in flight lapse as their rows age.
            await windows.SyncAsync(cancellationToken);
        }
    }
}
