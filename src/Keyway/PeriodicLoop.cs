namespace Keyway;

/// <summary>
/// The loop of Keyway's background services: one tick every interval on the injected clock until the host stops. A
/// tick that throws is told to <c>failures</c> and the loop goes on (a background service that threw would stop the
/// host); the host stopping ends the loop quietly.
/// </summary>
internal static class PeriodicLoop
{
    public static async Task RunAsync(
        TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> tick, FailureStreak failures, CancellationToken stoppingToken,
        TimeSpan? firstTickAfter = null)
    {
        try
        {
            if (firstTickAfter is { } delay)
            {
                await Task.Delay(delay, time, stoppingToken);
                await TickAsync(tick, failures, stoppingToken);
            }
            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(tick, failures, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>One tick, its outcome told to <paramref name="failures"/>; cancellation passes.</summary>
    public static async Task TickAsync(Func<CancellationToken, Task> tick, FailureStreak failures, CancellationToken cancellationToken)
    {
        try
        {
            await tick(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            failures.Failed(e);
            return;
        }
        failures.Succeeded();
    }
}
