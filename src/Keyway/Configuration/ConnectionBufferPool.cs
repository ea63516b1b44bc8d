using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Keyway.Configuration;

/// <summary>
/// The buffers Kestrel reads connections into and writes responses from, in 32 KB blocks instead of its default pool's
/// 4 KB. Kestrel receives into one block at a time, so a Claude Code request (60–150 KB, most of it the tools' schemas)
/// took one <c>recv</c> and one wake-up of the body's reader per 4 KB. 64 KB blocks measured the same as 32 KB
/// (bench/RESULTS.md), and a connection holds a block while a request or a response is in flight, however small: the
/// smaller block halves what a burst of small requests holds. Blocks are pinned arrays (the socket reads into them
/// without pinning each time) and return here when Kestrel disposes them; at most <see cref="MaxKeptBlocks"/> are kept.
/// </summary>
internal sealed class ConnectionBufferPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;

    /// <summary>8 MB: a Claude Code request's three blocks and its answer's one for each of 64 busy connections.</summary>
    public const int MaxKeptBlocks = 256;

    private readonly ConcurrentQueue<Block> _kept = new();
    private int _keptCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_kept.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _keptCount);
            return block;
        }
        return new Block(this);
    }

    protected override void Dispose(bool disposing) => _kept.Clear();

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _keptCount) <= MaxKeptBlocks)
        {
            _kept.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _keptCount);
        }
    }

    private sealed class Block(ConnectionBufferPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } =
            MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);

        public void Dispose() => pool.Return(this);
    }

    /// <summary>Kestrel's socket transport takes its pool from the <see cref="IMemoryPoolFactory{T}"/> service.</summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ConnectionBufferPool();
    }
}
