using System.Security.Cryptography;
using System.Text;

namespace Keyway.Cli.Import;

/// <summary>
/// Opens Fernet tokens as the Python Keyway wrote them: the Fernet key is base64url(SHA-256(KEYWAY_SECRET)), i.e. a
/// 16-byte HMAC-SHA256 signing key then a 16-byte AES-128-CBC key. A token is version 0x80, an 8-byte timestamp, a
/// 16-byte IV, the ciphertext and a 32-byte HMAC over all before it (https://github.com/fernet/spec/blob/master/Spec.md).
/// </summary>
public sealed class Fernet(string secret)
{
    private const byte Version = 0x80;
    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool LooksLikeToken(string value) => value.StartsWith("gAAAAA", StringComparison.Ordinal);

    public string Decrypt(string token)
    {
        var data = FromBase64Url(token);
        if (data.Length < 1 + 8 + 16 + 16 + 32 || data[0] != Version)
        {
            throw new CliException("not a Fernet token");
        }
        var signed = data.AsSpan(0, data.Length - 32);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key.AsSpan(0, 16), signed), data.AsSpan(data.Length - 32)))
        {
            throw new CliException("a Fernet token does not match --secret: is it the KEYWAY_SECRET of that database?", CliExitCodes.Usage);
        }
        using var aes = Aes.Create();
        aes.Key = _key[16..];
        var plain = aes.DecryptCbc(data.AsSpan(25, data.Length - 25 - 32), data.AsSpan(9, 16), PaddingMode.PKCS7);
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
