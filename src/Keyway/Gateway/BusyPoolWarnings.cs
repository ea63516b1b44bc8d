using System.Collections.Concurrent;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Which 429s of a model whose every key is at its max_concurrency the server log warns of. Under load such a model refuses
/// request after request, and a warning per request would bury the log; nor can the pool's filling and freeing be logged
/// as transitions (as cooldowns are) without a cost to every request that takes or gives back a place. So the first
/// refusal warns, the next ones within <see cref="Interval"/> are only counted, and the first one after it warns with the
/// number refused since the last warning: each refusal is counted in exactly one warning. Only a refusal reads or writes
/// it, never a request that got a key. One tally serves HTTP requests and Responses WebSockets (it is kept by the
/// <see cref="CooldownBook"/> both read), so a model refused on both is warned of once a minute with both counted.
/// </summary>
internal sealed partial class BusyPoolWarnings
{
    /// <summary>The shortest time between two warnings of one model.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string GroupId, string Alias), Tally> _tallies = new();

    /// <summary>Counts a refusal of <paramref name="alias"/> served by <paramref name="provider"/>, and warns when it is time to.</summary>
    public void Refused(ILogger logger, UpstreamProvider provider, string alias, DateTimeOffset now)
    {
        if (Refuse(provider.GroupId, alias, now) is { } refused)
        {
            Log.PoolBusy(logger, provider.ProviderId, refused.Refused, alias, refused.Since);
        }
    }

    /// <summary>
    /// Counts a refusal of <paramref name="alias"/>; when it warns, the refusals it reports (this one included) and when
    /// the first of them was, else null.
    /// </summary>
    public (int Refused, DateTimeOffset Since)? Refuse(string groupId, string alias, DateTimeOffset now)
    {
        var tally = _tallies.GetOrAdd((groupId, alias), static _ => new Tally());
        lock (tally.Gate)
        {
            if (tally.Refused == 0)
            {
                tally.Since = now;
            }
            tally.Refused++;
            if (tally.WarnedAt is { } warnedAt && now - warnedAt < Interval)
            {
                return null;
            }
            var report = (tally.Refused, tally.Since);
            tally.WarnedAt = now;
            tally.Refused = 0;
            return report;
        }
    }

    private sealed class Tally
    {
        public readonly Lock Gate = new();
        public DateTimeOffset? WarnedAt;
        public DateTimeOffset Since;
        public int Refused;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {ProviderId}: {Refused} request(s) for model '{Alias}' answered 429 since {Since:u}, " +
            "every upstream key being at its max_concurrency (logged at most once a minute per model, each refusal at Debug)")]
        public static partial void PoolBusy(ILogger logger, string providerId, int refused, string alias, DateTimeOffset since);
    }
}
