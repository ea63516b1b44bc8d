namespace Keyway.Telemetry;

/// <summary>Flushes <see cref="KeyUsageTracker"/> and <see cref="ToolUsageTracker"/> every few seconds and once more on graceful shutdown.</summary>
public sealed partial class KeyUsageFlushService(KeyUsageTracker tracker, ToolUsageTracker tools, TimeProvider time, ILogger<KeyUsageFlushService> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingErrorsAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushLoggingErrorsAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync does the final flush.
        }
    }

    private async Task FlushLoggingErrorsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tracker.FlushAsync(cancellationToken);
            await tools.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            Log.FlushFailed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Saving keys' last-used times or tool providers' search counts failed; they stay pending for the next flush.")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
