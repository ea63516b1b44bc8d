using System.Buffers;

namespace Keyway.Protocols.Json;

/// <summary>
/// <see cref="ArrayPool{T}.Shared"/> for arrays up to <see cref="MaxPooledLength"/>; a larger one is allocated and left
/// to the garbage collector. The shared pool keeps what it is given up to 1 GB an array, several of each size per core
/// and one per thread, and trims only after a gen2 collection, which an idle gateway never runs: the 32 and 64 MB
/// buffers that translating a 20 MB image grew through stayed held, RSS growing ~150 MB per request and never falling
/// (bench/RESULTS.md, 2026-12-06). Bodies that large are rare, so allocating them costs nothing that matters; their
/// memory goes back to the system by <see cref="LargeArrayReclaim"/> once they stop coming.
/// </summary>
public static class BytePool
{
    /// <summary>The largest array that goes to and comes from the shared pool (Claude Code's bodies run to a few hundred KB).</summary>
    public const int MaxPooledLength = 1024 * 1024;

    /// <summary>
    /// Two seconds: a burst of large requests (a client's several at once, its retries) is one, with one collection after
    /// it. 32 MB, the default body limit: one body as large as Keyway takes by default, or several smaller, is worth it.
    /// </summary>
    private static readonly LargeArrayReclaim Reclaim = new(TimeProvider.System, TimeSpan.FromSeconds(2), 32 * 1024 * 1024, CollectLargeGarbage);

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes, not cleared.</summary>
    public static byte[] Rent(int minimumLength)
    {
        if (minimumLength <= MaxPooledLength)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }
        Reclaim.Rented();
        return GC.AllocateUninitializedArray<byte>(minimumLength);
    }

    /// <summary>Gives an array from <see cref="Rent"/> back: to the shared pool when it came from there.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length <= MaxPooledLength)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        else
        {
            Reclaim.Returned(array.Length);
        }
    }

    /// <summary>
    /// An aggressive collection, which also gives the freed memory back: a forced full one freed the arrays but kept their
    /// memory committed for allocations a gateway of small requests does not make (RSS stayed at 303 of a 321 MB peak after
    /// 25 MB translated bodies, against 128 MB with this; bench/RESULTS.md).
    /// </summary>
    private static void CollectLargeGarbage() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
