using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// One upstream secret at most once in a provider's pool: two "keys" holding it share one upstream quota, rate limit and
/// cooldown, so the pool only looks bigger (and the health of one says nothing of the other). Secrets are compared once
/// opened; the refusals name the keys, never the secret.
/// </summary>
internal static class PoolSecrets
{
    /// <summary>Call it on the pool read under the pool's lock (<see cref="KeyPoolRepository.AddKeyAsync"/>), so two requests
    /// adding one secret at once cannot both pass it.</summary>
    /// <exception cref="AdminProblem">409 when a key of <paramref name="pool"/> other than <paramref name="exceptKeyId"/> holds <paramref name="secret"/>.</exception>
    public static void RefuseHeld(string providerId, IReadOnlyList<UpstreamKeyRecord> pool, string secret, string? exceptKeyId, SecretBox secrets)
    {
        var holder = pool.FirstOrDefault(key =>
            key.KeyId != exceptKeyId && secrets.TryOpen(key.SealedSecret, out var held) && held == secret);
        if (holder is not null)
        {
            throw AdminProblem.Conflict($"api_key is already in the key pool of provider '{providerId}' as key '{holder.Name}'");
        }
    }

    /// <summary>A pool given whole (<c>api_keys</c>): each secret once, checked as the list is read.</summary>
    public static void RefuseRepeated(Dictionary<string, string> namesBySecret, string secret, string name)
    {
        if (!namesBySecret.TryAdd(secret, name))
        {
            throw AdminProblem.Conflict($"api_keys gives one api_key twice: as key '{namesBySecret[secret]}' and as key '{name}'");
        }
    }
}
