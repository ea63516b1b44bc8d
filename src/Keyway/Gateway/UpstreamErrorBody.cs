using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// An upstream's error body, read once and then kept as the response's content, so classifying the failure, the tool
/// fallback and the relay all read the same bytes. Errors that echo the request they refused (vLLM's and other
/// validators' 400s) run far past a page: up to <see cref="MaxBytes"/> the body is kept whole, so its JSON keeps the
/// type and code clients and the failover read. A longer one is cut there and read no further; it reaches the client in
/// the generic shape, its message taken from the cut text.
/// </summary>
internal static class UpstreamErrorBody
{
    public const int MaxBytes = 4 * 1024 * 1024;

    private const int ReadSize = 16 * 1024;

    /// <summary>
    /// The body, read now (empty if the upstream broke off before any of it) or as it was kept by an earlier read, and
    /// whether it was cut off: the upstream broke off or went silent past <paramref name="cancellationToken"/> before the
    /// body's end (not the deliberate cut at <see cref="MaxBytes"/>).
    /// </summary>
    public static async Task<(byte[] Body, bool CutOff)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content is KeptBody kept)
        {
            return (kept.Body, kept.CutOff);
        }
        // A final 1xx has no body: what may follow on its connection is another protocol's (a 101's WebSocket), never read.
        var (body, cutOff) = (int)response.StatusCode < 200 ? ([], false) : await ReadCutAsync(response.Content, cancellationToken);
        var keeping = new KeptBody(body, cutOff);
        foreach (var header in response.Content.Headers.NonValidated)
        {
            // The kept body has its own length: a cut one is shorter than the upstream said.
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                keeping.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
        response.Content.Dispose();
        response.Content = keeping;
        return (body, cutOff);
    }

    private static async Task<(byte[] Body, bool CutOff)> ReadCutAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(ReadSize);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (body.WrittenCount < MaxBytes
                && (read = await stream.ReadAsync(body.GetMemory(ReadSize)[..Math.Min(ReadSize, MaxBytes - body.WrittenCount)], cancellationToken)) > 0)
            {
                body.Advance(read);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // What arrived before the upstream broke off, or went silent past the attempt's time, is still its answer's
            // start: the status says what failed. (A client that left meanwhile is the caller's to see.)
            return (body.WrittenSpan.ToArray(), true);
        }
        return (body.WrittenSpan.ToArray(), false);
    }

    private sealed class KeptBody(byte[] body, bool cutOff) : ByteArrayContent(body)
    {
        public byte[] Body { get; } = body;

        public bool CutOff { get; } = cutOff;
    }
}
