namespace Keyway.Telemetry;

/// <summary>
/// Exchanges issued keys' usage with the database every <see cref="Interval"/>: this instance's counts out, the other
/// instances' in (<see cref="KeyUsageCounters.SyncAsync"/>). Reads once before the gateway serves, so a restart keeps
/// the day's and the month's budgets, and writes once more on a graceful stop.
/// </summary>
public sealed partial class KeyUsageSyncService(KeyUsageCounters counters, TimeProvider time, ILogger<KeyUsageSyncService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await counters.SyncAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await SyncLoggingErrorsAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SyncLoggingErrorsAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes the last counts.
        }
    }

    private async Task SyncLoggingErrorsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counters.SyncAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            Log.SyncFailed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Exchanging issued keys' usage with the database failed; this instance's counts stay pending for the next try.")]
        public static partial void SyncFailed(ILogger logger, Exception exception);
    }
}
