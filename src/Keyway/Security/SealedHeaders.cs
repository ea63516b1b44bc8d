namespace Keyway.Security;

/// <summary>
/// A provider's extra_headers at rest: each value sealed with the <see cref="SecretBox"/> like an upstream key, because a
/// vendor's header may carry its credential (X-Api-Key, Authorization). Rows written before the values were sealed hold
/// them in plain until start-up seals them; <see cref="OpenValue"/> reads both.
/// </summary>
public static class SealedHeaders
{
    public static Dictionary<string, string> Seal(IReadOnlyDictionary<string, string> plain, SecretBox secrets) =>
        plain.ToDictionary(header => header.Key, header => secrets.Seal(header.Value));

    public static Dictionary<string, string> Open(IReadOnlyDictionary<string, string> stored, SecretBox secrets) =>
        stored.ToDictionary(header => header.Key, header => OpenValue(header.Value, secrets));

    /// <summary>What admin reads show: each value masked as an upstream key is ("sk-…abcd").</summary>
    public static Dictionary<string, string> Mask(IReadOnlyDictionary<string, string> stored, SecretBox secrets) =>
        stored.ToDictionary(header => header.Key, header => SecretMask.Mask(OpenValue(header.Value, secrets)));

    /// <summary>The plaintext of a stored value: opened when sealed, as stored when written before values were sealed.</summary>
    public static string OpenValue(string stored, SecretBox secrets) => secrets.TryOpen(stored, out var plain) ? plain : stored;

    public static bool IsSealed(string stored, SecretBox secrets) => secrets.TryOpen(stored, out _);
}
