namespace Keyway.Gateway;

/// <summary>
/// Reads a request body once into one array; Kestrel's MaxRequestBodySize turns an oversized body into a 413. A body
/// of known length up to 1 MB goes into an array rented from the shared pool (Claude Code sends 60–150 KB and more
/// every turn, which the garbage collector otherwise copied whenever it ran while the request was in flight).
/// </summary>
internal static class RequestBodyReader
{
    public static async Task<RequestBodyBuffer> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and > 0 and <= int.MaxValue)
        {
            var body = RequestBodyBuffer.ForLength((int)length);
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
        return RequestBodyBuffer.Of(buffer.GetBuffer(), (int)buffer.Length);
    }

    public static bool IsTooLarge(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status413PayloadTooLarge;
}
