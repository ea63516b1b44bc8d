namespace Keyway.Telemetry;

/// <summary>Flushes <see cref="KeyUsageTracker"/> and <see cref="ToolUsageTracker"/> every few seconds and once more on graceful shutdown.</summary>
public sealed class KeyUsageFlushService(KeyUsageTracker tracker, ToolUsageTracker tools, TimeProvider time, ILogger<KeyUsageFlushService> logger)
    : PeriodicFlushService(FlushInterval, time, new FailureStreak("Saving keys' last-used times and tool providers' search counts", time, logger))
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    protected override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await tracker.FlushAsync(cancellationToken);
        await tools.FlushAsync(cancellationToken);
    }
}
