using System.Security.Cryptography;
using System.Text;

namespace Keyway.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM. The key is derived from KEYWAY_SECRET with
/// HKDF-SHA256, so the secret itself is never used as a key. Sealed values are
/// "v1." + base64url(nonce ‖ ciphertext ‖ tag); a fresh random nonce per value.
/// </summary>
public sealed class SecretBox
{
    private const string Prefix = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Salt = "keyway/secret-box/v1"u8.ToArray();
    private static readonly byte[] Info = "aes-256-gcm"u8.ToArray();

    private readonly byte[] _key;

    public SecretBox(string secret)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, Salt, Info);
    }

    public string Seal(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length));
        return Prefix + Base64Url.Encode(sealedBytes);
    }

    /// <summary>Decrypts a value sealed with the same secret; false when the secret differs or the value was tampered with.</summary>
    public bool TryOpen(string sealedValue, out string plaintext)
    {
        plaintext = "";
        if (!sealedValue.StartsWith(Prefix, StringComparison.Ordinal)
            || !Base64Url.TryDecode(sealedValue[Prefix.Length..], out var sealedBytes)
            || sealedBytes.Length < NonceSize + TagSize)
        {
            return false;
        }
        var cipherLength = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, cipherLength),
                sealedBytes.AsSpan(NonceSize + cipherLength), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        plaintext = Encoding.UTF8.GetString(plain);
        return true;
    }

    public string Open(string sealedValue) =>
        TryOpen(sealedValue, out var plaintext)
            ? plaintext
            : throw new CryptographicException("A stored secret could not be decrypted with KEYWAY_SECRET.");
}
