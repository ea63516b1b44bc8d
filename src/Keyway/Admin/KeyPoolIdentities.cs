using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// A key pool given whole (PATCH "api_keys", as `keyway apply` and `provider edit --api-key` send it) keeps the identity
/// (key_id, created_at) of every key whose secret it still holds: health, cooldown and quarantine are kept by key_id, and
/// a new id would start the same upstream credential over as a healthy key. A changed secret is a new key.
/// </summary>
internal static class KeyPoolIdentities
{
    public static IReadOnlyList<UpstreamKeyRecord> Keep(
        IReadOnlyList<UpstreamKeyRecord> replacement, IReadOnlyList<UpstreamKeyRecord> current, SecretBox secrets)
    {
        var unclaimed = current
            .Select(key => (Key: key, Secret: secrets.TryOpen(key.SealedSecret, out var secret) ? secret : null))
            .ToList();
        var kept = new List<UpstreamKeyRecord>();
        foreach (var key in replacement)
        {
            var secret = secrets.Open(key.SealedSecret);
            // The same name and secret first, so a pool whose keys swapped secrets does not swap their identities.
            var match = unclaimed.FindIndex(c => c.Secret == secret && c.Key.Name == key.Name);
            match = match >= 0 ? match : unclaimed.FindIndex(c => c.Secret == secret);
            if (match < 0)
            {
                kept.Add(key);
                continue;
            }
            kept.Add(key with { KeyId = unclaimed[match].Key.KeyId, CreatedAt = unclaimed[match].Key.CreatedAt });
            unclaimed.RemoveAt(match);
        }
        return kept;
    }
}
