namespace Keyway.Telemetry;

/// <summary>
/// Whether background writes reach the database: the last write failed (with its reason), or one has been waiting
/// longer than <see cref="StallAfter"/> (a SQLite file locked by another process waits out its busy timeout first).
/// Writers report here; the health endpoints read <see cref="Problem"/>. Dialect-independent.
/// </summary>
public sealed class DatabaseWriteHealth(TimeProvider time)
{
    /// <summary>A write still running after this long makes the database count as degraded.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private string? _failure;
    private long? _writeStartedAt;

    public void WriteStarted()
    {
        lock (_gate)
        {
            _writeStartedAt = time.GetTimestamp();
        }
    }

    public void WriteSucceeded()
    {
        lock (_gate)
        {
            _writeStartedAt = null;
            _failure = null;
        }
    }

    public void WriteFailed(string reason)
    {
        lock (_gate)
        {
            _writeStartedAt = null;
            _failure = reason;
        }
    }

    /// <summary>Why writes do not get through right now, or null when they do.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                if (_failure is not null)
                {
                    return $"database writes are failing: {_failure}";
                }
                if (_writeStartedAt is { } started && time.GetElapsedTime(started) is var waited && waited >= StallAfter)
                {
                    return $"a database write has been waiting for {waited.TotalSeconds:0} s (database locked or slow)";
                }
                return null;
            }
        }
    }
}
