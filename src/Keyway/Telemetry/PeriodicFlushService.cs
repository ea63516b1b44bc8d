using Keyway.Configuration;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Runs <see cref="FlushAsync"/> every interval on the injected clock and once more on graceful shutdown. A failed flush
/// is told to <paramref name="failures"/> and whatever it had to write stays pending for the next one; one the database
/// leaves unanswered is abandoned after <see cref="DatabaseExchange.Timeout"/> the same way. The final flush is tried
/// again within the <see cref="FinalFlush"/> window, as the request log's last rows are; one that still fails (or that
/// the host's shutdown timeout cuts short) is named in one error line, never thrown: the host would fail its stop (exit 134).
/// </summary>
public abstract class PeriodicFlushService(TimeSpan interval, TimeProvider time, FailureStreak failures) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var final = new FinalFlush();
        final.Open(KeywayOptions.FinalFlushWindow, cancellationToken);
        if (await final.RunAsync(BoundedFlushAsync, failures) is { } failure)
        {
            failures.GaveUp(failure);
        }
    }

    protected abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Stopping ends the loop; StopAsync does the final flush.
        PeriodicLoop.RunAsync(interval, time, BoundedFlushAsync, failures, stoppingToken);

    private Task BoundedFlushAsync(CancellationToken cancellationToken) => DatabaseExchange.RunAsync(FlushAsync, cancellationToken);
}
