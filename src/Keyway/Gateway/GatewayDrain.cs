namespace Keyway.Gateway;

/// <summary>
/// The drain window of a graceful stop (KEYWAY_DRAIN_SECONDS), opened when the host begins stopping. When it ends, the
/// requests still running are ended by the gateway itself, in the caller's protocol (a stream with its error event) and
/// logged as 503, instead of Kestrel cutting their connections: the host's shutdown timeout outlasts the window by
/// <see cref="Configuration.KeywayOptions.FinalFlushWindow"/>, which the request-log writer's final flush gets.
/// </summary>
public sealed class GatewayDrain : IDisposable
{
    private readonly CancellationTokenSource _ended;
    private readonly TaskCompletionSource _whenEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatewayDrain(TimeProvider time)
    {
        _ended = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _ended.Token.Register(() => _whenEnded.TrySetResult());
    }

    /// <summary>Cancelled when the drain window has ended.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>
    /// Completes when the drain window has ended: what already waits on a task (a key wait, a WebSocket relay) races it,
    /// so ending them costs no token or registration of their own.
    /// </summary>
    public Task WhenEnded => _whenEnded.Task;

    public bool HasEnded => _ended.IsCancellationRequested;

    public void Begin(TimeSpan window) => _ended.CancelAfter(window);

    public void Dispose() => _ended.Dispose();
}
