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
            return WithoutByteOrderMark(body);
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return WithoutByteOrderMark(LeasedBytes.Own(buffer.GetBuffer(), (int)buffer.Length));
    }

    /// <summary>
    /// A UTF-8 byte order mark before the JSON (PowerShell's and some Windows editors' files) is accepted, and dropped
    /// here once for every reader: the translators' JSON reader refuses it ("'0xEF' is an invalid start of a value"),
    /// and a pass-through body would carry it to an upstream whose parser may refuse it as well.
    /// </summary>
    private static LeasedBytes WithoutByteOrderMark(LeasedBytes body)
    {
        if (body.Memory.Span.StartsWith("\uFEFF"u8))
        {
            body.DropLeading(3);
        }
        return body;
    }

    /// <summary>
    /// The body's Content-Encoding when it is one Keyway does not read (anything but <c>identity</c>), else null. No
    /// OpenAI or Anthropic SDK compresses a request body (Codex zstd-compresses only for the ChatGPT backend); read as
    /// JSON, a compressed one was only answered "Invalid JSON body".
    /// </summary>
    public static string? EncodingOf(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        return encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase) ? null : encoding;
    }

    public static bool IsTooLarge(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status413PayloadTooLarge;
}
