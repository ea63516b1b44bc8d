namespace Keyway.Admin;

/// <summary>
/// Counts wrong admin tokens per client address in a sliding window. A blocked address is refused before its
/// token is even compared, so a guess made while blocked tells the guesser nothing. Each lockout is logged once (a
/// warning naming the address), so an operator learns that someone is guessing the admin token.
/// </summary>
public sealed partial class AdminLoginThrottle(TimeProvider time, ILogger<AdminLoginThrottle> logger)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const int PruneThreshold = 4096;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool IsBlocked(string client)
    {
        lock (_lock)
        {
            return _failures.TryGetValue(client, out var failures) && Trim(failures, time.GetUtcNow()) >= MaxFailures;
        }
    }

    public void RecordFailure(string client)
    {
        var now = time.GetUtcNow();
        int count;
        lock (_lock)
        {
            if (!_failures.TryGetValue(client, out var failures))
            {
                PruneIfLarge(now);
                _failures[client] = failures = new Queue<DateTimeOffset>();
            }
            failures.Enqueue(now);
            count = Trim(failures, now);
        }
        if (count == MaxFailures)
        {
            Log.Blocked(logger, client, MaxFailures, (int)Window.TotalMinutes);
        }
    }

    private static int Trim(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.TryPeek(out var oldest) && now - oldest >= Window)
        {
            failures.Dequeue();
        }
        return failures.Count;
    }

    // Many distinct addresses must not grow the table without bound.
    private void PruneIfLarge(DateTimeOffset now)
    {
        if (_failures.Count < PruneThreshold)
        {
            return;
        }
        foreach (var client in _failures.Where(pair => Trim(pair.Value, now) == 0).Select(pair => pair.Key).ToList())
        {
            _failures.Remove(client);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Admin access from {Client} is refused for {Minutes} minutes after {Failures} wrong admin tokens")]
        public static partial void Blocked(ILogger logger, string client, int failures, int minutes);
    }
}
