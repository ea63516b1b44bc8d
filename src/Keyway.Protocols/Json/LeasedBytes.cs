namespace Keyway.Protocols.Json;

/// <summary>
/// Bytes in an array that is rented from the shared pool (<see cref="BytePool"/>) or is their own. A rented array goes back to the pool once its
/// owner is done with it (<see cref="Dispose"/>) and no reader still holds it (<see cref="TryHold"/>): a body sent
/// upstream is read by the send, and over HTTP/2 a send may go on after the answer's headers came back.
/// </summary>
public sealed class LeasedBytes : IDisposable
{
    private byte[]? _rented;
    private int _holders = 1; // the owner's, until Dispose
    private int _disposed;

    private LeasedBytes(byte[] array, int length, bool rented)
    {
        Memory = array.AsMemory(0, length);
        _rented = rented ? array : null;
    }

    /// <summary>The bytes; empty once the owner disposed them.</summary>
    public Memory<byte> Memory { get; private set; }

    /// <summary>Room for <paramref name="length"/> bytes in an array rented from <see cref="BytePool"/>.</summary>
    public static LeasedBytes Rent(int length) => new(BytePool.Rent(length), length, rented: true);

    /// <summary>The first <paramref name="length"/> bytes of an array of their own, which no pool takes back.</summary>
    public static LeasedBytes Own(byte[] array, int length) => new(array, length, rented: false);

    /// <summary>The first <paramref name="length"/> bytes of an array someone rented from the shared pool and hands over.</summary>
    internal static LeasedBytes Adopt(byte[] rentedArray, int length) => new(rentedArray, length, rented: true);

    /// <summary>Drops the first <paramref name="count"/> bytes, such as a byte order mark before a JSON body.</summary>
    public void DropLeading(int count) => Memory = Memory[count..];

    /// <summary>Keeps the array out of the pool until <see cref="Release"/>; false once it went back.</summary>
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
            BytePool.Return(array);
        }
    }

    /// <summary>The owner is done: the bytes are gone for it, and the array goes back as soon as no reader holds it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Memory = default;
            Release();
        }
    }
}
