namespace Keyway.Upstreams;

/// <summary>
/// The key picked for the next attempt, or none; then <see cref="EarliestRecovery"/> says when a cooling key is back,
/// <see cref="Busy"/> that a key was passed over for having all its max_concurrency places taken, and
/// <see cref="Blocked"/> that one was passed over for cooling down or quarantine.
/// </summary>
public readonly record struct KeyChoice(UpstreamKey? Key, DateTimeOffset? EarliestRecovery, bool Busy = false, bool Blocked = false);

/// <summary>
/// Picks one key of a provider's pool for one attempt, in O(keys) and without locks: keys that do not serve the
/// target's model, were already tried by this request, cool down, are quarantined or have all their max_concurrency
/// places taken are passed over; then
/// round_robin takes the fewest in flight (a capped key's on every instance; ties rotate), or for a client session (<see cref="SessionAffinity"/>) the
/// session's own key, priority the first, only_first only ever the first key.
/// For a visitor key (<c>visitorOnly</c>) only keys with allow_visitor count; at a native endpoint
/// (<c>nativeEndpoint</c>; null at the main one) only keys that can call it (<see cref="UpstreamEndpoint.BaseUrlFor"/>).
/// </summary>
public static class KeyPool
{
    private const int StackLimit = 64;

    public static KeyChoice Select(
        RouteTarget target, CooldownBook book, IReadOnlySet<string> tried, string? pinnedKeyName = null, bool visitorOnly = false, SessionAffinity? session = null,
        UpstreamEndpoint? nativeEndpoint = null)
    {
        var provider = target.Provider;
        var keys = provider.Keys;
        var now = book.Now;
        DateTimeOffset? earliest = null;
        var busy = false;
        var blocked = false;
        Span<int> available = keys.Count <= StackLimit ? stackalloc int[keys.Count] : new int[keys.Count];
        var count = 0;
        var fewest = int.MaxValue;
        var eligible = 0;
        var sessionKey = -1;
        var sessionWeight = 0UL;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (!Admits(target, key, pinnedKeyName, visitorOnly, nativeEndpoint))
            {
                continue;
            }
            if (provider.RoutingMode == KeyRoutingMode.OnlyFirst && eligible++ > 0)
            {
                break;
            }
            if (tried.Contains(key.KeyId))
            {
                continue;
            }
            var health = book.For(key, provider);
            if (health.BlockedUntil(target.UpstreamModel, now) is { } until)
            {
                earliest = until == DateTimeOffset.MaxValue || earliest <= until ? earliest : until;
                blocked = true;
                continue;
            }
            if (health.IsFull(key.MaxConcurrency))
            {
                busy = true;
                continue;
            }
            if (provider.RoutingMode != KeyRoutingMode.RoundRobin || pinnedKeyName is not null)
            {
                return new KeyChoice(key, null);
            }
            if (session is { } affinity)
            {
                var weight = affinity.WeightOf(key.KeyId);
                if (sessionKey < 0 || weight > sessionWeight)
                {
                    (sessionKey, sessionWeight) = (i, weight);
                }
                continue;
            }
            // A capped key's count includes the other instances' requests (0 for a key without a cap: not exchanged).
            var inFlight = health.InFlight + health.OthersInFlight;
            if (inFlight < fewest)
            {
                fewest = inFlight;
                count = 0;
            }
            if (inFlight == fewest)
            {
                available[count++] = i;
            }
        }
        if (sessionKey >= 0)
        {
            return new KeyChoice(keys[sessionKey], null);
        }
        return count == 0
            ? new KeyChoice(null, earliest, busy, blocked)
            : new KeyChoice(keys[available[book.CircuitOf(provider.ProviderId).NextCursor() % count]], null);
    }

    /// <summary>
    /// Whether <see cref="Select"/> may pick <paramref name="key"/> of <paramref name="target"/>'s pool when it is free and
    /// healthy: the key serves the request, and under only_first it is the first key that does.
    /// </summary>
    internal static bool MayChoose(RouteTarget target, UpstreamKey key, string? pinnedKeyName, bool visitorOnly, UpstreamEndpoint? nativeEndpoint)
    {
        if (!Admits(target, key, pinnedKeyName, visitorOnly, nativeEndpoint))
        {
            return false;
        }
        if (target.Provider.RoutingMode != KeyRoutingMode.OnlyFirst)
        {
            return true;
        }
        var first = target.Provider.Keys.FirstOrDefault(candidate => Admits(target, candidate, pinnedKeyName, visitorOnly, nativeEndpoint));
        return first?.KeyId == key.KeyId;
    }

    /// <summary>Whether <paramref name="key"/> serves the request at all: its model, the pinned key, the visitor rule, the endpoint.</summary>
    private static bool Admits(RouteTarget target, UpstreamKey key, string? pinnedKeyName, bool visitorOnly, UpstreamEndpoint? nativeEndpoint) =>
        key.Serves(target.UpstreamModel) && (pinnedKeyName is null || key.Name == pinnedKeyName) && (!visitorOnly || key.AllowVisitor)
        && (nativeEndpoint is null || nativeEndpoint.BaseUrlFor(key) is not null);
}

/// <summary>
/// One request's place on a key, counted in flight for as long as it is held (sending and relaying); its owner gives it
/// back once. A place of a key with a max_concurrency is given back through its pool's <see cref="KeyWaitQueue"/>, which
/// hands it over to the longest request waiting for it.
/// </summary>
public readonly struct KeyLease
{
    private readonly KeyWaitQueue? _waiters;

    private KeyLease(KeyHealth health, UpstreamKey key, KeyWaitQueue? waiters) => (Health, Key, _waiters) = (health, key, waiters);

    public UpstreamKey Key { get; }

    internal KeyHealth Health { get; }

    /// <summary>A place on <paramref name="key"/>, or null when all its places are taken; <paramref name="waiters"/> is its pool's line, given with a cap.</summary>
    public static KeyLease? TryEnter(KeyHealth health, UpstreamKey key, KeyWaitQueue? waiters) =>
        health.TryEnter(key.MaxConcurrency) ? new KeyLease(health, key, waiters) : null;

    public void Release()
    {
        if (_waiters is null)
        {
            Health.Leave();
            return;
        }
        _waiters.GiveBack(this);
    }
}
