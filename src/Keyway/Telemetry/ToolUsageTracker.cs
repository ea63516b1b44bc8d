using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Counts each tool provider's searches and failures in memory, so a search never writes to the database;
/// <see cref="KeyUsageFlushService"/> adds them to the tool provider's row in batches.
/// </summary>
public sealed class ToolUsageTracker(ToolProviderRepository repository)
{
    private readonly Lock _lock = new();
    private Dictionary<string, ToolSearchUsage> _pending = new(StringComparer.Ordinal);

    /// <summary>Counts one search of the tool provider. No I/O.</summary>
    public void Record(string toolId, bool ok, DateTimeOffset at)
    {
        lock (_lock)
        {
            _pending[toolId] = Merge(_pending.GetValueOrDefault(toolId), new ToolSearchUsage(1, ok ? 0 : 1, at));
        }
    }

    /// <summary>Adds the pending counts in one transaction; on failure they are pending again for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, ToolSearchUsage> snapshot;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return;
            }
            (snapshot, _pending) = (_pending, new Dictionary<string, ToolSearchUsage>(StringComparer.Ordinal));
        }
        try
        {
            await repository.AddSearchUsageAsync(snapshot, cancellationToken);
        }
        catch
        {
            lock (_lock)
            {
                foreach (var (toolId, usage) in snapshot)
                {
                    _pending[toolId] = Merge(_pending.GetValueOrDefault(toolId), usage);
                }
            }
            throw;
        }
    }

    private static ToolSearchUsage Merge(ToolSearchUsage? a, ToolSearchUsage b) => a is null ? b : new ToolSearchUsage(
        a.Searches + b.Searches, a.Failures + b.Failures, a.LastSearchAt > b.LastSearchAt ? a.LastSearchAt : b.LastSearchAt);
}
