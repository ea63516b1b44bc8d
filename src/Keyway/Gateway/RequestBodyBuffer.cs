using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// A request body and the array it lies in: a rented array goes back to the shared pool on <see cref="Dispose"/>, when
/// the request is over. Nothing that outlives the request may keep a slice of <see cref="Memory"/>; what is sent
/// upstream is always a rewritten or translated copy.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    /// <summary>Larger bodies are rare, and a rented 20 MB array would stay in the pool long after its request.</summary>
    public const int MaxPooledLength = 1024 * 1024;

    private byte[]? _rented;

    private RequestBodyBuffer(byte[] array, int length, bool rented)
    {
        Memory = array.AsMemory(0, length);
        _rented = rented ? array : null;
    }

    /// <summary>The body's bytes; empty once disposed.</summary>
    public Memory<byte> Memory { get; private set; }

    /// <summary>Room for a body of <paramref name="length"/> bytes, rented when it is at most <see cref="MaxPooledLength"/>.</summary>
    public static RequestBodyBuffer ForLength(int length) => length <= MaxPooledLength
        ? new(ArrayPool<byte>.Shared.Rent(length), length, rented: true)
        : new(GC.AllocateUninitializedArray<byte>(length), length, rented: false);

    /// <summary>A body already read into the first <paramref name="length"/> bytes of an array of its own.</summary>
    public static RequestBodyBuffer Of(byte[] array, int length) => new(array, length, rented: false);

    public void Dispose()
    {
        Memory = default;
        if (Interlocked.Exchange(ref _rented, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
