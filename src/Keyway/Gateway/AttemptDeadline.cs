using System.Diagnostics;

namespace Keyway.Gateway;

/// <summary>
/// An attempt's time to answer (the provider's timeout_seconds, on the attempt's cancellation), stopped while the
/// attempt's body waits on the client: a form streamed as the client uploads it (<see cref="MultipartForm"/>) may take
/// longer to arrive than the upstream has to answer, and that time is the client's, not the upstream's or its key's.
/// Once the upstream's answer has begun (<see cref="Stop"/>), the body no longer moves the deadline: the relay's own idle
/// timeouts take over the cancellation. Measured on the clock the cancellation's timer runs on, the system's.
/// </summary>
internal sealed class AttemptDeadline(CancellationTokenSource cancellation, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private TimeSpan _left = timeout;
    private long _runningSince = Stopwatch.GetTimestamp();
    private bool _stopped;

    /// <summary>The client's body is being waited on: the deadline stands still.</summary>
    public void PauseForClient()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _left -= Stopwatch.GetElapsedTime(_runningSince);
            cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The client's bytes came: the deadline runs on with the time it had left.</summary>
    public void ResumeAfterClient()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _runningSince = Stopwatch.GetTimestamp();
            cancellation.CancelAfter(_left > TimeSpan.Zero ? _left : TimeSpan.Zero);
        }
    }

    /// <summary>The upstream answered (or the send ended): the body may still be read, but no longer moves the deadline.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }
}
