using System.Buffers;
using Keyway.Protocols.Json;

namespace Keyway.Tests.Protocols;

/// <summary>A rented array goes back to the shared pool once its owner is done and the last reader let go, never before.</summary>
public sealed class LeasedBytesTests
{
    [Fact]
    public void AHeldArray_GoesBackToThePoolOnlyWithTheLastRelease()
    {
        var length = 100_000;
        var client = LeasedBytes.Rent(length);
        var array = ArrayOf(client);
        Assert.True(client.TryHold());

        client.Dispose();
        var whileHeld = ArrayPool<byte>.Shared.Rent(length);
        client.Release();
        var afterRelease = ArrayPool<byte>.Shared.Rent(length);

        Assert.NotSame(array, whileHeld);
        Assert.Same(array, afterRelease); // the shared pool hands this thread back what it returned last
        Assert.True(client.Memory.IsEmpty);
        Assert.False(client.TryHold());
        ArrayPool<byte>.Shared.Return(whileHeld);
        ArrayPool<byte>.Shared.Return(afterRelease);
    }

    [Fact]
    public void ADetachedWriter_HandsOverItsBytes_AndIsEmptyAfter()
    {
        using var writer = new PooledBufferWriter();
        writer.Write("{\"a\":1}"u8);

        using var bytes = writer.Detach();

        Assert.Equal("{\"a\":1}"u8.ToArray(), bytes.Memory.ToArray());
        Assert.True(writer.WrittenSpan.IsEmpty);
    }

    /// <summary>
    /// The shared pool keeps what it is given (arrays up to 1 GB) until a gen2 collection: a writer grown to a 20 MB
    /// image's size must leave there neither its final array nor one it grew through.
    /// </summary>
    [Fact]
    public void AWriterGrownPastThePooledLength_GivesNoArrayToTheSharedPool()
    {
        var size = BytePool.MaxPooledLength + 1;
        byte[] grownThrough;
        byte[] final;
        using (var writer = new PooledBufferWriter())
        {
            grownThrough = ArrayOf(writer.GetMemory(size));
            writer.Advance(size);
            final = ArrayOf(writer.GetMemory(size));
            writer.Advance(size);
            writer.Detach().Dispose();
        }

        Assert.NotSame(grownThrough, final);
        foreach (var array in new[] { grownThrough, final })
        {
            var rented = ArrayPool<byte>.Shared.Rent(array.Length);
            Assert.NotSame(array, rented); // the shared pool hands this thread back what it returned last
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [Fact]
    public void BytesOfTheirOwn_AreNeverReturnedToThePool()
    {
        var array = new byte[100];
        var bytes = LeasedBytes.Own(array, 10);

        bytes.Dispose();
        bytes.Dispose();

        Assert.True(bytes.Memory.IsEmpty);
        Assert.False(bytes.TryHold());
    }

    private static byte[] ArrayOf(LeasedBytes bytes) => ArrayOf(bytes.Memory);

    private static byte[] ArrayOf(Memory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
