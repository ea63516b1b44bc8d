namespace Keyway.Telemetry;

/// <summary>Flushes <see cref="KeyUsageTracker"/> and <see cref="ToolUsageTracker"/> every few seconds and once more on graceful shutdown.</summary>
public sealed partial class KeyUsageFlushService(KeyUsageTracker tracker, ToolUsageTracker tools, TimeProvider time, ILogger<KeyUsageFlushService> logger)
    : PeriodicFlushService(FlushInterval, time)
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    protected override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await tracker.FlushAsync(cancellationToken);
        await tools.FlushAsync(cancellationToken);
    }

    protected override void FlushFailed(Exception exception) => Log.FlushFailed(logger, exception);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Saving keys' last-used times or tool providers' search counts failed; they stay pending for the next flush.")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
