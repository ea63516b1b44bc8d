using System.Diagnostics;

namespace Keyway.Storage;

/// <summary>
/// One time limit shared by every statement of a unit of work (an admin request). On SQLite each statement waits for
/// another process's lock only as long as the limit has left, instead of the busy timeout per statement, so a request
/// of several statements fails once, within the limit, while the file stays locked (<see cref="BoundedSqliteConnection"/>).
/// </summary>
public static class DatabaseDeadline
{
    private static readonly AsyncLocal<long?> EndTimestamp = new();

    /// <summary>Starts the limit for the calls made in this async flow until the scope is disposed.</summary>
    public static IDisposable Begin(TimeSpan limit)
    {
        var scope = new Scope(EndTimestamp.Value);
        EndTimestamp.Value = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        return scope;
    }

    /// <summary>The time left (zero once passed), or null outside a scope.</summary>
    internal static TimeSpan? Remaining => EndTimestamp.Value is { } end
        ? TimeSpan.FromSeconds(Math.Max(0, end - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)
        : null;

    private sealed class Scope(long? previous) : IDisposable
    {
        public void Dispose() => EndTimestamp.Value = previous;
    }
}
