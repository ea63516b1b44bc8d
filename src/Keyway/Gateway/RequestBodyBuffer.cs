using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// A request body and the array it lies in: a rented array goes back to the shared pool once the request is over
/// (<see cref="Dispose"/>) and no upstream send is still reading it (<see cref="TryHold"/>): a passed-through body goes
/// upstream from this array, and HTTP/2 may go on sending a body after the answer's headers came back.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    /// <summary>Larger bodies are rare, and a rented 20 MB array would stay in the pool long after its request.</summary>
    public const int MaxPooledLength = 1024 * 1024;

    private byte[]? _rented;
    private int _holders = 1; // the request's own, until Dispose
    private int _disposed;

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

    /// <summary>Keeps the array out of the pool until <see cref="Release"/>; false once it went back (the request is over).</summary>
    public bool TryHold()
    {
        var holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return true;
            }
            holders = seen;
        }
        return false;
    }

    /// <summary>Ends a <see cref="TryHold"/>; the last one gives the array back.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0 && Interlocked.Exchange(ref _rented, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>The request is over: its bytes are gone for it, and the array goes back as soon as no send holds it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Memory = default;
            Release();
        }
    }
}
