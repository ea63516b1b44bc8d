namespace Keyway.Telemetry;

/// <summary>
/// Runs <see cref="FlushAsync"/> every interval on the injected clock and once more on graceful shutdown. A failed flush
/// is told to <paramref name="failures"/> and whatever it had to write stays pending for the next one.
/// </summary>
public abstract class PeriodicFlushService(TimeSpan interval, TimeProvider time, FailureStreak failures) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingErrorsAsync(cancellationToken);
    }

    protected abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Stopping ends the loop; StopAsync does the final flush.
        PeriodicLoop.RunAsync(interval, time, FlushAsync, failures, stoppingToken);

    private Task FlushLoggingErrorsAsync(CancellationToken cancellationToken) => PeriodicLoop.TickAsync(FlushAsync, failures, cancellationToken);
}
