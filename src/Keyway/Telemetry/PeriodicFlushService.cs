namespace Keyway.Telemetry;

/// <summary>
/// Runs <see cref="FlushAsync"/> every interval on the injected clock and once more on graceful shutdown. A failed flush
/// is reported through <see cref="FlushFailed"/> and whatever it had to write stays pending for the next one. A final
/// flush the host's shutdown timeout cuts short is reported the same way, never thrown: the host would fail its stop
/// (exit 134) over it.
/// </summary>
public abstract class PeriodicFlushService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushLoggingErrorsAsync(cancellationToken);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            FlushFailed(e);
        }
    }

    protected abstract Task FlushAsync(CancellationToken cancellationToken);

    protected abstract void FlushFailed(Exception exception);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Stopping ends the loop; StopAsync does the final flush.
        PeriodicLoop.RunAsync(interval, time, FlushAsync, FlushFailed, stoppingToken);

    private Task FlushLoggingErrorsAsync(CancellationToken cancellationToken) => PeriodicLoop.TickAsync(FlushAsync, FlushFailed, cancellationToken);
}
