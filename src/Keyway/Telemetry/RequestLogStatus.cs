namespace Keyway.Telemetry;

/// <summary>
/// Counters of the request-log pipeline, readable by metrics and the benchmark. Rows are
/// either written, dropped at the queue (full, or enqueued after shutdown) or failed (pushed out
/// of the full retry buffer while the database refused writes, or still refused at shutdown);
/// nothing disappears without being counted here.
/// </summary>
public sealed class RequestLogStatus
{
    private long _written;
    private long _dropped;
    private long _failed;
    private long _insertErrors;

    /// <summary>Rows committed to the database.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Entries never queued: the queue was full or already closed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Rows given up: pushed out of the full retry buffer during an outage, or still refused at shutdown.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Failed insert attempts, including ones whose retry then succeeded.</summary>
    public long InsertErrors => Interlocked.Read(ref _insertErrors);

    internal void AddWritten(int rows) => Interlocked.Add(ref _written, rows);

    internal long AddDropped() => Interlocked.Increment(ref _dropped);

    internal void AddFailed(int rows) => Interlocked.Add(ref _failed, rows);

    internal void AddInsertError() => Interlocked.Increment(ref _insertErrors);
}
