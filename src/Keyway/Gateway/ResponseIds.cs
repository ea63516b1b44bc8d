using System.Security.Cryptography;

namespace Keyway.Gateway;

/// <summary>
/// Ids of the answers Keyway writes itself (a translated response): a prefix and 128 random bits in lowercase hex, as
/// the <c>Guid.NewGuid().ToString("N")</c> they replace. The bits come from a per-thread block of secure random bytes
/// refilled every 256 ids: Guid.NewGuid read /dev/urandom once per id, ~2% of the gateway's CPU on the translated path
/// (bench/RESULTS.md).
/// </summary>
internal static class ResponseIds
{
    private const int IdBytes = 16;
    private const int BlockBytes = 256 * IdBytes;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    public static string New(string prefix)
    {
        if (t_block is null || t_used == BlockBytes)
        {
            t_block ??= new byte[BlockBytes];
            RandomNumberGenerator.Fill(t_block);
            t_used = 0;
        }
        var id = prefix + Convert.ToHexStringLower(t_block, t_used, IdBytes);
        t_used += IdBytes;
        return id;
    }
}
