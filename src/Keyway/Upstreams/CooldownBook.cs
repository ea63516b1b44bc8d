using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Keyway.Upstreams;

/// <summary>
/// The in-memory health of every upstream key and every provider's circuit, read by key selection on each
/// request (no database I/O). Each change is also offered to <see cref="Changes"/>, which the cooldown store
/// drains in the background so the state survives a restart. A key that becomes unusable (cooled, quarantined) is
/// logged once, when it happens, not at every request it turns away.
/// </summary>
public sealed partial class CooldownBook(TimeProvider time, ILogger<CooldownBook> logger)
{
    private readonly ConcurrentDictionary<string, KeyHealth> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProviderCircuit> _circuits = new(StringComparer.Ordinal);
    private readonly Channel<KeyHealthState> _changes = Channel.CreateBounded<KeyHealthState>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The refusals of pools at their max_concurrency, warned of at most once a minute per model (HTTP and WebSocket alike).</summary>
    internal Gateway.BusyPoolWarnings BusyWarnings { get; } = new();

    /// <summary>Health changes waiting to be persisted (newest state of a key wins when written).</summary>
    public ChannelReader<KeyHealthState> Changes => _changes.Reader;

    public KeyHealth For(UpstreamKey key, UpstreamProvider provider) =>
        _keys.GetOrAdd(key.KeyId, static (id, providerId) => new KeyHealth(id, providerId), provider.ProviderId);

    public ProviderCircuit CircuitOf(string providerId) =>
        _circuits.GetOrAdd(providerId, static (_, time) => new ProviderCircuit(time), time);

    /// <summary>A failed attempt on <paramref name="key"/>; <paramref name="failuresSeen"/>: see <see cref="KeyHealth.RecordFailure"/>.</summary>
    public void RecordFailure(UpstreamProvider provider, UpstreamKey key, string upstreamModel, UpstreamFailure failure, int? failuresSeen = null)
    {
        var health = For(key, provider);
        var now = Now;
        var change = health.RecordFailure(failure, upstreamModel, provider.Policy, now, failuresSeen, provider.IsSoleKeyFor(key, upstreamModel));
        var state = health.Snapshot();
        _changes.Writer.TryWrite(state);
        if (change == KeyHealthChange.Quarantined)
        {
            Log.Quarantined(logger, key.Name, provider.ProviderId, state.QuarantineReason);
        }
        else if (change == KeyHealthChange.Cooled)
        {
            var until = health.BlockedUntil(upstreamModel, now);
            Log.Cooled(logger, key.Name, provider.ProviderId, failure.ModelScoped ? $" for {upstreamModel}" : "", until, failure.Status, state.LastError);
        }
    }

    public void RecordSuccess(UpstreamProvider provider, UpstreamKey key)
    {
        var health = For(key, provider);
        if (health.RecordSuccess(Now))
        {
            _changes.Writer.TryWrite(health.Snapshot());
        }
    }

    /// <summary>Clears one key of <paramref name="providerId"/> now (a successful quarantine probe) and closes the provider's circuit.</summary>
    public void Clear(string providerId, string keyId) => Clear(providerId, [keyId], ResetStamp([keyId]));

    /// <summary>
    /// Clears keys of <paramref name="providerId"/> as of <paramref name="resetAt"/> (see <see cref="ResetStamp"/>), keys
    /// this instance has not seen yet included, so a state stored before the reset is not merged back in later, and
    /// closes the provider's circuit: a reset says "try it again", which a circuit still open would only postpone.
    /// </summary>
    public void Clear(string providerId, IEnumerable<string> keyIds, DateTimeOffset resetAt)
    {
        foreach (var keyId in keyIds)
        {
            var health = _keys.GetOrAdd(keyId, static (id, provider) => new KeyHealth(id, provider), providerId);
            health.Clear(resetAt);
            _changes.Writer.TryWrite(health.Snapshot());
        }
        CircuitOf(providerId).Close();
    }

    /// <summary>The time to stamp on a reset of these keys: now, or just after the latest reset one of them carries (another instance's clock may run ahead), so it outranks them.</summary>
    public DateTimeOffset ResetStamp(IEnumerable<string> keyIds)
    {
        var stamp = Now;
        foreach (var keyId in keyIds)
        {
            if (_keys.TryGetValue(keyId, out var health) && health.ResetAt is { } last && last >= stamp)
            {
                stamp = last.AddTicks(1);
            }
        }
        return stamp;
    }

    public KeyHealthState? StateOf(string keyId) => _keys.TryGetValue(keyId, out var health) ? health.Snapshot() : null;

    /// <summary>The key's requests in flight on this instance, and on the others as last exchanged.</summary>
    public (int Here, int Others) InFlightOf(string keyId) => _keys.TryGetValue(keyId, out var health) ? (health.InFlight, health.OthersInFlight) : (0, 0);

    /// <summary>Every key the book knows (those that were used or restored), as of now.</summary>
    public IEnumerable<KeyHealthState> States() => _keys.Values.Select(h => h.Snapshot());

    /// <summary>Every key currently quarantined.</summary>
    public IEnumerable<KeyHealthState> Quarantined() => States().Where(state => state.QuarantineReason is not null);

    /// <summary>
    /// Takes in the key states other instances stored (see <see cref="KeyHealth.Merge"/>); nothing is queued for persisting.
    /// A reset made on another instance closes the provider's circuit here too, as it did there.
    /// </summary>
    public void Merge(IEnumerable<KeyHealthState> states)
    {
        foreach (var state in states)
        {
            if (_keys.GetOrAdd(state.KeyId, static (id, providerId) => new KeyHealth(id, providerId), state.ProviderId).Merge(state))
            {
                CircuitOf(state.ProviderId).Close();
            }
        }
    }

    /// <summary>Loads persisted state at start-up, before the first request.</summary>
    public void Restore(IEnumerable<KeyHealthState> states)
    {
        foreach (var state in states)
        {
            _keys.GetOrAdd(state.KeyId, static (id, providerId) => new KeyHealth(id, providerId), state.ProviderId).Restore(state);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream key '{KeyName}' of provider {ProviderId} cools down{Model} until {Until:O} after {Status}: {Error}")]
        public static partial void Cooled(ILogger logger, string keyName, string providerId, string model, DateTimeOffset? until, int status, string? error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream key '{KeyName}' of provider {ProviderId} is quarantined until a probe succeeds: {Reason}")]
        public static partial void Quarantined(ILogger logger, string keyName, string providerId, string? reason);
    }
}
