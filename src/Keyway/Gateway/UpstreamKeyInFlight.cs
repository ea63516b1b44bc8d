using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The requests in flight of upstream keys with a max_concurrency, shared by the instances on one PostgreSQL database
/// through the exchange of <see cref="KeyRateWindows"/> (rows of key_rate_windows with no window counts): this
/// instance's counts go out, the others' come into each key's <see cref="KeyHealth.OthersInFlight"/>, and a place they
/// free goes to the longest request waiting for the key (<see cref="KeyWaitQueue.HandOverFreed"/>). On SQLite (one
/// instance) nothing is exchanged. Used by the exchange alone, one call at a time.
/// </summary>
public sealed class UpstreamKeyInFlight(CooldownBook book, RoutingTableHolder routing, IDbConnectionFactory connections)
{
    private readonly bool _shared = connections.Dialect == PostgresConnectionFactory.DialectName;
    private readonly Dictionary<string, long> _published = new(StringComparer.Ordinal);
    private Dictionary<string, KeyRateShare[]> _others = new(StringComparer.Ordinal);

    /// <summary>
    /// This instance's counts to write: each capped key with requests in flight (so the others see this instance is
    /// alive) or with a count other than the one last written.
    /// </summary>
    internal List<KeyRateShare> Changed(DateTimeOffset now) =>
    [
        .. CappedKeys()
            .Select(capped => new KeyRateShare(capped.Key.KeyId, now, 0, 0, capped.Health.InFlight, now))
            .Where(share => share.InFlight > 0 || _published.GetValueOrDefault(share.KeyId) != share.InFlight),
    ];

    /// <summary>Notes the counts <see cref="Changed"/> gave as written.</summary>
    internal void Written(IEnumerable<KeyRateShare> shares)
    {
        foreach (var share in shares)
        {
            _published[share.KeyId] = share.InFlight;
        }
    }

    /// <summary>
    /// Takes the capped keys' rows out of the other instances' rows just read (by key id) and counts them in; the rest
    /// (issued keys') stay in <paramref name="others"/>.
    /// </summary>
    internal void Receive(Dictionary<string, KeyRateShare[]> others, DateTimeOffset now)
    {
        var mine = new Dictionary<string, KeyRateShare[]>(StringComparer.Ordinal);
        foreach (var capped in CappedKeys())
        {
            if (others.Remove(capped.Key.KeyId, out var shares))
            {
                mine[capped.Key.KeyId] = shares;
            }
        }
        _others = mine;
        Refresh(now);
    }

    /// <summary>
    /// Sets each capped key's count of the other instances' requests in flight from the rows last read that are still
    /// fresh at <paramref name="now"/>, handing the places that freed to the key's waiters.
    /// </summary>
    internal void Refresh(DateTimeOffset now)
    {
        foreach (var (provider, key, health) in CappedKeys())
        {
            var others = (int)KeyRateWindows.LiveInFlight(_others.GetValueOrDefault(key.KeyId, []), now);
            if (health.SetOthersInFlight(others))
            {
                book.CircuitOf(provider.ProviderId).KeyWaiters.HandOverFreed(health, key);
            }
        }
    }

    private IEnumerable<(UpstreamProvider Provider, UpstreamKey Key, KeyHealth Health)> CappedKeys()
    {
        if (!_shared)
        {
            yield break;
        }
        var table = routing.Current;
        foreach (var providerId in table.ProviderIds)
        {
            if (!table.TryGetProvider(providerId, out var provider))
            {
                continue;
            }
            foreach (var key in provider.Keys.Where(key => key.MaxConcurrency is not null))
            {
                yield return (provider, key, book.For(key, provider));
            }
        }
    }
}
