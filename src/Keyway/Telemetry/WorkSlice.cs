namespace Keyway.Telemetry;

/// <summary>
/// Bounds how long background work holds a core it shares with the requests. The work calls <see cref="Start"/>, then
/// <see cref="Step"/> after each small unit (one INSERT of request-log rows); once the slice's length has passed since the start
/// or the last yield, the thread yields, so a request that became ready meanwhile runs before the next unit.
/// </summary>
/// <remarks>
/// The operating system does not do this by itself: on the benchmark machine a request that became ready waited behind
/// the log writer's batch for 1–3 ms (a scheduler trace, bench/RESULTS.md), neither a lower priority nor a longer
/// scheduler slice for the writer changed that, and those waits were most of the p99 Keyway added at one connection.
/// </remarks>
/// <param name="yieldCore">Gives the core away (<see cref="Thread.Yield"/>); tests count the calls instead.</param>
public sealed class WorkSlice(TimeProvider time, TimeSpan length, Action yieldCore)
{
    /// <summary>Long enough that the yields cost next to nothing, short against the ~1 ms a request's tail can afford.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromMicroseconds(100);

    private long _started;

    /// <summary>A slice of <see cref="DefaultLength"/> on the real clock that yields with <see cref="Thread.Yield"/>.</summary>
    public static WorkSlice Default() => new(TimeProvider.System, DefaultLength, () => Thread.Yield());

    public void Start() => _started = time.GetTimestamp();

    /// <summary>Yields if the slice is used up, and starts the next one.</summary>
    public void Step()
    {
        if (time.GetElapsedTime(_started) < length)
        {
            return;
        }
        yieldCore();
        Start();
    }
}
