using Keyway.Protocols.Json;

namespace Keyway.Gateway;

/// <summary>
/// Reads a request body once into one array; Kestrel's MaxRequestBodySize turns an oversized body into a 413. A body
/// of known length goes into an array from <see cref="BytePool"/> (Claude Code sends 60–150 KB and more every turn,
/// which the garbage collector otherwise copied whenever it ran while the request was in flight; one over
/// <see cref="BytePool.MaxPooledLength"/> is allocated, as a rented 20 MB array would stay in the pool long after its
/// request); it goes back when the request is over and no upstream send still reads it.
/// </summary>
internal static class RequestBodyReader
{
    public static async Task<LeasedBytes> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and > 0 and <= int.MaxValue)
        {
            var body = LeasedBytes.Rent((int)length);
            try
            {
                await request.Body.ReadExactlyAsync(body.Memory, cancellationToken);
            }
            catch
            {
                body.Dispose();
                throw;
            }
            return body;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return LeasedBytes.Own(buffer.GetBuffer(), (int)buffer.Length);
    }

    public static bool IsTooLarge(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status413PayloadTooLarge;
}
