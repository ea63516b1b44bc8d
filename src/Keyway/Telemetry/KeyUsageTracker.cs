using System.Collections.Concurrent;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Remembers when each issued key was last used, in memory, so a request never writes to the
/// database for it; <see cref="KeyUsageFlushService"/> persists the latest times in batches.
/// </summary>
public sealed class KeyUsageTracker(KeyLastUsedRepository repository)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);

    /// <summary>Records a use of the key; keeps the latest time when uses race. No I/O, no allocation.</summary>
    public void Touch(string apiKeyId, DateTimeOffset at) =>
        _pending.AddOrUpdate(apiKeyId, static (_, at) => at, static (_, previous, at) => at > previous ? at : previous, at);

    /// <summary>
    /// Writes the pending times in one transaction. A key touched again while the write was in
    /// flight stays pending for the next flush; on failure everything stays pending.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var snapshot = _pending.ToArray();
        if (snapshot.Length == 0)
        {
            return;
        }
        await repository.UpdateLastUsedAsync(snapshot, cancellationToken);
        foreach (var written in snapshot)
        {
            _pending.TryRemove(written);
        }
    }
}
