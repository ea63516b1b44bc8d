using System.Collections.Concurrent;
using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// The rpm/tpm windows and requests in flight of issued keys on this instance, and their exchange with the other
/// instances through key_rate_windows (<see cref="SyncAsync"/>, about once a second from the usage sync): this
/// instance's changed windows out, the others' in. The same exchange carries the requests in flight of capped upstream
/// keys (<see cref="UpstreamKeyInFlight"/>). The request path only reads and counts in memory.
/// </summary>
public sealed class KeyRateWindows(KeyRateWindowRepository repository, UpstreamKeyInFlight upstreamKeys, TimeProvider time)
{
    /// <summary>How long a published count of requests in flight holds: an instance with any republishes every exchange.</summary>
    public static readonly TimeSpan InFlightLifetime = TimeSpan.FromSeconds(5);

    /// <summary>A row older than this holds no running window and no live requests (windows last one minute).</summary>
    private static readonly TimeSpan RowLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, KeyRateWindow> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sync = new(1, 1);
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>This instance's id in key_rate_windows: new at every start, so an earlier run's rows count as another instance's.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    internal KeyRateWindow For(string keyId) => _windows.GetOrAdd(keyId, static _ => new KeyRateWindow());

    /// <summary>What the rpm, tpm and max_concurrency limits of <paramref name="keyId"/> count now (zero for a key that made no request here or elsewhere).</summary>
    public KeyRateNow Read(string keyId, DateTimeOffset now) =>
        _windows.TryGetValue(keyId, out var window) ? window.Read(now) : default;

    /// <summary>The requests in flight of the other instances' <paramref name="shares"/> of a key, counting the rows fresh enough to show a live instance.</summary>
    internal static long LiveInFlight(IEnumerable<KeyRateShare> shares, DateTimeOffset now)
    {
        var inFlight = 0L;
        foreach (var share in shares)
        {
            if (share.UpdatedAt + InFlightLifetime > now)
            {
                inFlight += share.InFlight;
            }
        }
        return inFlight;
    }

    /// <summary>
    /// Writes this instance's windows that counted something and changed since the last write, and every one with requests in flight (so the
    /// others see it is alive), and the same of capped upstream keys' requests in flight, then reads the others' rows.
    /// Once a minute, deletes rows that ran out and rows of deleted keys. One at a time; on failure the changes stay for
    /// the next call.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            // First the upstream keys' counts of rows that aged since the last read, in case the database cannot be reached below.
            upstreamKeys.Refresh(now);
            var changed = _windows
                .Select(pair => pair.Value.Share(pair.Key, now))
                .Where(mine => mine.Version > 0 && (mine.Share.InFlight > 0 || !_published.TryGetValue(mine.Share.KeyId, out var written) || written != mine.Version))
                .ToList();
            var upstreamChanged = upstreamKeys.Changed(now);
            await repository.UpsertAsync(InstanceId, [.. changed.Select(mine => mine.Share), .. upstreamChanged], cancellationToken);
            foreach (var (share, version) in changed)
            {
                _published[share.KeyId] = version;
            }
            upstreamKeys.Written(upstreamChanged);
            if (now - _prunedAt >= TimeSpan.FromMinutes(1))
            {
                await repository.PruneAsync(now - RowLifetime, cancellationToken);
                _prunedAt = now;
            }
            var others = (await repository.ListOthersAsync(InstanceId, now - RowLifetime, cancellationToken))
                .GroupBy(share => share.KeyId, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.ToArray(), StringComparer.Ordinal);
            upstreamKeys.Receive(others, time.GetUtcNow());
            foreach (var (keyId, window) in _windows)
            {
                window.SetOthers(others.GetValueOrDefault(keyId, []));
            }
            foreach (var (keyId, shares) in others)
            {
                For(keyId).SetOthers(shares);
            }
        }
        finally
        {
            _sync.Release();
        }
    }
}
