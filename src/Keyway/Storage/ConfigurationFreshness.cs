namespace Keyway.Storage;

/// <summary>
/// How recently this instance confirmed that it holds the shared configuration: on PostgreSQL, the last pass of the
/// <see cref="ConfigurationVersionWatcher"/> that read the version and rebuilt what had changed. An instance that could
/// not for longer than its limit may be serving a route renamed or a key deleted on another instance, so /health/ready
/// reports it unavailable (<see cref="Problem"/>) until a pass works again. On SQLite (one instance, every change made
/// by this one) nothing watches and nothing goes stale.
/// </summary>
public sealed class ConfigurationFreshness(TimeProvider time, TimeSpan staleAfter)
{
    /// <summary>
    /// Three abandoned passes' worth: a pass stuck on a silently lost connection is given up after
    /// <see cref="DatabaseExchange.Timeout"/> and Npgsql's cancellation, and the next one reconnects well within it.
    /// </summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private long? _confirmedAt;
    private string? _failure;

    /// <summary>The watcher starts: the limit runs from now until its first pass works.</summary>
    public void Watching()
    {
        lock (_gate)
        {
            _confirmedAt = time.GetTimestamp();
        }
    }

    public void Confirmed()
    {
        lock (_gate)
        {
            _confirmedAt = time.GetTimestamp();
            _failure = null;
        }
    }

    public void Failed(string reason)
    {
        lock (_gate)
        {
            _failure = reason;
        }
    }

    /// <summary>Why the configuration may be stale, or null while it is confirmed within the limit (or not watched).</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                if (_confirmedAt is not { } confirmed || time.GetElapsedTime(confirmed) is var since && since < staleAfter)
                {
                    return null;
                }
                return $"the shared configuration could not be refreshed for {since.TotalSeconds:0} s: {_failure ?? "a reload is still waiting for the database"}";
            }
        }
    }
}
