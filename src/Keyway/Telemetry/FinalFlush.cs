using Keyway.Configuration;

namespace Keyway.Telemetry;

/// <summary>
/// The window of a graceful stop's final flush, shared by the request-log writer and the usage counters' services:
/// work the database refuses is tried again every <see cref="RetryDelay"/>, since it may be back any moment (a restart,
/// a failover), until <see cref="KeywayOptions.FinalFlushWindow"/> or the host's shutdown timeout runs out; then it is
/// given up, and the caller names what that loses.
/// </summary>
public sealed class FinalFlush : IDisposable
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _ended = new();
    private CancellationTokenRegistration _hostStopsWaiting;

    /// <summary>Opens the window: it ends after <paramref name="window"/>, or sooner when the host stops waiting.</summary>
    public void Open(TimeSpan window, CancellationToken hostStopsWaiting)
    {
        _ended.CancelAfter(window);
        _hostStopsWaiting = hostStopsWaiting.Register(_ended.Cancel);
    }

    /// <summary>Cancelled when the window has ended: the exchange in progress is abandoned.</summary>
    public CancellationToken Ended => _ended.Token;

    public bool HasEnded => _ended.IsCancellationRequested;

    /// <summary>Waits <see cref="RetryDelay"/> before the next try, or until the window ends; false once it has.</summary>
    public async Task<bool> WaitToRetryAsync()
    {
        try
        {
            await Task.Delay(RetryDelay, _ended.Token);
        }
        catch (OperationCanceledException)
        {
            // The window ended.
        }
        return !HasEnded;
    }

    /// <summary>
    /// Runs <paramref name="flush"/> (once at least) until it works or the window ends, each failure told to
    /// <paramref name="failures"/>; returns null, or the last failure once the window ended.
    /// </summary>
    public async Task<Exception?> RunAsync(Func<CancellationToken, Task> flush, FailureStreak failures)
    {
        while (true)
        {
            try
            {
                await flush(_ended.Token);
                failures.Succeeded();
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Failed(e);
                if (!await WaitToRetryAsync())
                {
                    return e;
                }
            }
        }
    }

    public void Dispose()
    {
        _hostStopsWaiting.Dispose();
        _ended.Dispose();
    }
}
