using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// Reads a request body once into one array; Kestrel's MaxRequestBodySize turns an oversized body into a 413. A body
/// of known length goes into an array rented from the shared pool (Claude Code sends 60–150 KB and more every turn,
/// which the garbage collector otherwise copied whenever it ran while the request was in flight).
/// </summary>
internal static class RequestBodyReader
{
    public static async Task<RequestBodyBuffer> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and > 0 and <= int.MaxValue)
        {
            var array = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                await request.Body.ReadExactlyAsync(array.AsMemory(0, (int)length), cancellationToken);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(array);
                throw;
            }
            return RequestBodyBuffer.Rented(array, (int)length);
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return RequestBodyBuffer.Owned(buffer.ToArray());
    }

    public static bool IsTooLarge(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status413PayloadTooLarge;
}

/// <summary>
/// A request body and the array it lies in: rented arrays go back to the pool on <see cref="Dispose"/>, when the
/// request is over. Nothing that outlives the request may keep a slice of <see cref="Memory"/>; what is sent
/// upstream is always a rewritten or translated copy.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    private byte[]? _rented;

    private RequestBodyBuffer(byte[] array, int length, bool rented)
    {
        Memory = array.AsMemory(0, length);
        _rented = rented ? array : null;
    }

    public ReadOnlyMemory<byte> Memory { get; private set; }

    public static RequestBodyBuffer Rented(byte[] array, int length) => new(array, length, rented: true);

    public static RequestBodyBuffer Owned(byte[] array) => new(array, array.Length, rented: false);

    public void Dispose()
    {
        Memory = default;
        if (Interlocked.Exchange(ref _rented, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
