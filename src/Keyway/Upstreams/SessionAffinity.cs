namespace Keyway.Upstreams;

/// <summary>
/// Which key of a round_robin pool a client session prefers: rendezvous (highest random weight) hashing of the session
/// over the pool's key ids. A session keeps its key on every instance and across restarts, and a key that cools down,
/// is tried already or leaves the pool moves only its own sessions, which return once it is usable again.
/// </summary>
public readonly record struct SessionAffinity(ulong SessionHash)
{
    public static SessionAffinity Of(string session) => new(Fnv1a(session));

    /// <summary>The session's weight for one key; the usable key of the highest weight serves the session.</summary>
    public ulong WeightOf(string keyId) => SplitMix(SessionHash ^ Fnv1a(keyId));

    // FNV-1a rather than string.GetHashCode, which is seeded per process: instances behind one load balancer must agree.
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    // The SplitMix64 finalizer spreads the XOR of two FNV hashes evenly, so each key is a session's favourite equally often.
    private static ulong SplitMix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
