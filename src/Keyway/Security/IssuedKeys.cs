using System.Security.Cryptography;
using System.Text;

namespace Keyway.Security;

/// <summary>Self-issued client keys: "db_sk_" + 32 random bytes base64url (49 chars), known by their SHA-256.</summary>
public static class IssuedKeys
{
    public const string Prefix = "db_sk_";

    /// <summary>The fewest characters after <see cref="Prefix"/> that a key given by an admin (a migrated one) may have.</summary>
    public const int GivenMinSecretLength = 16;

    public static string Generate() => Prefix + Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the key as presented; the only form used to authenticate.</summary>
    public static string Hash(string plaintext) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plaintext)));

    /// <summary>What lists show instead of the key: the first 12 characters and "...".</summary>
    public static string DisplayPrefix(string plaintext) => plaintext[..Math.Min(12, plaintext.Length)] + "...";

    /// <summary>Whether an existing key may be kept as an issued key: the prefix, 16 or more characters after it, no spaces.</summary>
    public static bool IsAcceptable(string plaintext) =>
        plaintext.StartsWith(Prefix, StringComparison.Ordinal) && plaintext.Length >= Prefix.Length + GivenMinSecretLength
        && !plaintext.Any(char.IsWhiteSpace);
}
