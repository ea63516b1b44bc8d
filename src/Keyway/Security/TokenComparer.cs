using System.Security.Cryptography;
using System.Text;

namespace Keyway.Security;

/// <summary>Compares secrets in time independent of where they differ (both sides hashed first, so length leaks nothing).</summary>
public static class TokenComparer
{
    public static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
