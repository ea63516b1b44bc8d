namespace Keyway.Telemetry;

/// <summary>
/// Runs <see cref="FlushAsync"/> every interval on the injected clock and once more on graceful shutdown. A failed flush
/// is reported through <see cref="FlushFailed"/> and whatever it had to write stays pending for the next one.
/// </summary>
public abstract class PeriodicFlushService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingErrorsAsync(cancellationToken);
    }

    protected abstract Task FlushAsync(CancellationToken cancellationToken);

    protected abstract void FlushFailed(Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
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
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            FlushFailed(e);
        }
    }
}
