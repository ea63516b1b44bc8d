namespace Keyway.Gateway;

/// <summary>Reads a request body once into one array; Kestrel's MaxRequestBodySize turns an oversized body into a 413.</summary>
internal static class RequestBodyReader
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and <= int.MaxValue)
        {
            // Filled by the read or not used at all: a body the size Claude Code sends is not worth clearing first.
            var body = GC.AllocateUninitializedArray<byte>((int)length);
            await request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public static bool IsTooLarge(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status413PayloadTooLarge;
}
