using System.Buffers;

namespace Keyway.Protocols.Json;

/// <summary>
/// <see cref="ArrayPool{T}.Shared"/> for arrays up to <see cref="MaxPooledLength"/>; a larger one is allocated and left
/// to the garbage collector. The shared pool keeps what it is given up to 1 GB an array, several of each size per core
/// and one per thread, and trims only after a gen2 collection, which an idle gateway never runs: the 32 and 64 MB
/// buffers that translating a 20 MB image grew through stayed held, RSS growing ~150 MB per request and never falling
/// (bench/RESULTS.md, 2026-12-06). Bodies that large are rare, so allocating them costs nothing that matters.
/// </summary>
public static class BytePool
{
    /// <summary>The largest array that goes to and comes from the shared pool (Claude Code's bodies run to a few hundred KB).</summary>
    public const int MaxPooledLength = 1024 * 1024;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes, not cleared.</summary>
    public static byte[] Rent(int minimumLength) => minimumLength <= MaxPooledLength
        ? ArrayPool<byte>.Shared.Rent(minimumLength)
        : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives an array from <see cref="Rent"/> back: to the shared pool when it came from there.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length <= MaxPooledLength)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
