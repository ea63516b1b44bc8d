namespace Keyway.Protocols.Json;

/// <summary>
/// Gives the memory of <see cref="BytePool"/>'s large arrays (request bodies and translations of over a megabyte) back
/// once they have stopped coming and going for <c>quiet</c>. Such an array is garbage the moment its request ends, but
/// only a full collection frees it, and the GC runs one when allocations have used up its budget, which a gateway
/// serving small requests between Claude Code's turns may take hours to do: after eight 25 MB bodies at once RSS stayed
/// at its 338 MB peak, and after a translated burst at 539 MB (bench/RESULTS.md, large request bodies). The collection
/// waits for <c>minimumBytes</c> given back: it stops every request in flight (~18 ms measured on the benchmark VM), so
/// a Claude Code session whose context has grown past a megabyte brings one every few turns, not one a turn. It never
/// runs for a gateway that sees no large body.
/// </summary>
public sealed class LargeArrayReclaim : IDisposable
{
    private readonly ITimer _timer;
    private readonly TimeSpan _quiet;
    private readonly long _minimumBytes;
    private readonly Action _collect;
    private long _returnedBytes;

    public LargeArrayReclaim(TimeProvider time, TimeSpan quiet, long minimumBytes, Action collect)
    {
        _quiet = quiet;
        _minimumBytes = minimumBytes;
        _collect = collect;
        _timer = time.CreateTimer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A large array was handed out: the quiet time starts over, as its request's garbage is still to come.</summary>
    public void Rented() => _timer.Change(_quiet, Timeout.InfiniteTimeSpan);

    /// <summary>A large array became garbage: a collection is due once the quiet time passes without another, if enough came back.</summary>
    public void Returned(int length)
    {
        Interlocked.Add(ref _returnedBytes, length);
        _timer.Change(_quiet, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();

    private void OnQuiet()
    {
        if (Volatile.Read(ref _returnedBytes) >= _minimumBytes)
        {
            Interlocked.Exchange(ref _returnedBytes, 0);
            _collect();
        }
    }
}
