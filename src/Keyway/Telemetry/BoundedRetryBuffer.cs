namespace Keyway.Telemetry;

/// <summary>
/// Rows a background writer took but the database has not accepted yet, kept in arrival order for the next try.
/// Bounded: once <see cref="Capacity"/> is reached the oldest rows make room and are reported through
/// <c>onOverflow</c>, so a long outage costs memory up to the bound and every lost row is counted. Knows nothing
/// of the database behind it (SQLite locked or full, PostgreSQL unreachable): the writer decides when to retry.
/// Used by one writer loop at a time; <see cref="Count"/> may be read from any thread.
/// </summary>
public sealed class BoundedRetryBuffer<T>(int capacity, Action<int> onOverflow)
{
    private readonly Queue<T> _rows = new();
    private int _count;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Rows waiting to be written.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The place of the oldest row waiting among all rows ever added (0 for the first): every row that left from the
    /// front (written, given up, or pushed out) moved it on, so a row keeps its place across retries.
    /// </summary>
    public long OldestIndex { get; private set; }

    public void Add(T row)
    {
        if (_rows.Count == Capacity)
        {
            _rows.Dequeue();
            OldestIndex++;
            onOverflow(1);
        }
        _rows.Enqueue(row);
        Volatile.Write(ref _count, _rows.Count);
    }

    /// <summary>The oldest rows, up to <paramref name="max"/>, left in place until <see cref="RemoveOldest"/>.</summary>
    public List<T> PeekOldest(int max) => [.. _rows.Take(max)];

    /// <summary>Forgets the <paramref name="rows"/> oldest rows (written, or given up and counted by the caller).</summary>
    public void RemoveOldest(int rows)
    {
        for (var i = 0; i < rows && _rows.Count > 0; i++)
        {
            _rows.Dequeue();
            OldestIndex++;
        }
        Volatile.Write(ref _count, _rows.Count);
    }
}
