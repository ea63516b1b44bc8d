using System.Buffers;
using System.Net;
using Keyway.Protocols;
using Keyway.Protocols.Json;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// An attempt's JSON body: built once per target, sent once per attempt. Bytes of their own; or bytes in a pooled array
/// (the client's body with its model spliced in, a translation), sent from there without a copy, each send holding the
/// array while it reads it: Claude Code's 60–150 KB request on every turn was otherwise copied whole, most of what a
/// request allocated. A body over <see cref="BytePool.MaxPooledLength"/> sends its last bytes from a copy (see
/// <see cref="PiecesContent"/>).
/// </summary>
internal abstract class UpstreamBody
{
    /// <summary>Bytes of their own.</summary>
    public static UpstreamBody Of(byte[] bytes) => new Whole(bytes);

    /// <summary>The client's body in <paramref name="client"/>, edited in place.</summary>
    public static UpstreamBody Edited(LeasedBytes client, EditedBody edited) => new Pooled(client, edited.Pieces, edited.Length, edited.ToArray);

    /// <summary>A body built in a pooled array.</summary>
    public static UpstreamBody Leased(LeasedBytes body)
    {
        ReadOnlyMemory<byte> bytes = body.Memory;
        return new Pooled(body, [bytes], bytes.Length, bytes.ToArray);
    }

    /// <summary>The bytes in an array of their own, for the rarer steps that rewrite the body again (defaults, web search, tool fallback).</summary>
    public abstract byte[] ToArray();

    /// <summary>A fresh content for <paramref name="exchange"/>'s current send (an attempt, a web-search round), which tells it when the body went out in full (<see cref="ProxyExchange.BodySent"/>).</summary>
    public abstract HttpContent CreateContent(ProxyExchange exchange);

    private sealed class Whole(byte[] bytes) : UpstreamBody
    {
        private readonly ReadOnlyMemory<byte>[] _pieces = [bytes];

        public override byte[] ToArray() => bytes;

        public override HttpContent CreateContent(ProxyExchange exchange) => PiecesContent.Json(null, _pieces, bytes.Length, exchange);
    }

    /// <summary>Pieces that lie in <paramref name="array"/> (replacements between them may not).</summary>
    private sealed class Pooled(LeasedBytes array, IEnumerable<ReadOnlyMemory<byte>> pieces, int length, Func<byte[]> copy) : UpstreamBody
    {
        public override byte[] ToArray() => copy();

        public override HttpContent CreateContent(ProxyExchange exchange) => PiecesContent.Json(array, pieces, length, exchange);
    }

    /// <summary>
    /// Pieces written in order, held in <paramref name="array"/> (when they lie in a leased one) while they are written. The
    /// last <see cref="TailLength"/> bytes of a body over <see cref="BytePool.MaxPooledLength"/> go from a pooled copy: the
    /// socket of a plain-HTTP upstream connection (a local vLLM or Ollama, the benchmark's fake upstream) keeps the buffer of
    /// its last send until its next send, and HttpClient sends a large write straight from the caller's memory. Sent from the
    /// body, each connection idle in the pool (up to 90 s, and again after every large request) kept its last body alive:
    /// eight 25 MB bodies at once left 150 MB that no collection could free (bench/RESULTS.md, large request bodies).
    /// A body up to that length lies in a pooled array, which the socket may keep at no cost. Once the last piece is
    /// written, the send it was made for is told that its body went out in full (<see cref="ProxyExchange.BodySent"/>).
    /// </summary>
    private sealed class PiecesContent(LeasedBytes? array, IEnumerable<ReadOnlyMemory<byte>> pieces, int length, ProxyExchange exchange, int send)
        : HttpContent
    {
        /// <summary>Any length would do: HttpClient copies a tail this small into its own write buffer, or sends it from the copy.</summary>
        private const int TailLength = 4096;

        public static PiecesContent Json(LeasedBytes? array, IEnumerable<ReadOnlyMemory<byte>> pieces, int length, ProxyExchange exchange)
        {
            var content = new PiecesContent(array, pieces, length, exchange, exchange.Sends);
            content.Headers.ContentType = UpstreamClient.JsonContentType;
            return content;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            if (array is not null && !array.TryHold())
            {
                throw new ObjectDisposedException(nameof(LeasedBytes), "The request this body belongs to is over.");
            }
            try
            {
                if (length <= BytePool.MaxPooledLength)
                {
                    foreach (var piece in pieces)
                    {
                        await stream.WriteAsync(piece, cancellationToken);
                    }
                }
                else
                {
                    await WriteWithCopiedTailAsync(stream, cancellationToken);
                }
                exchange.BodySent(send);
            }
            finally
            {
                array?.Release();
            }
        }

        private async Task WriteWithCopiedTailAsync(Stream stream, CancellationToken cancellationToken)
        {
            var tail = ArrayPool<byte>.Shared.Rent(TailLength);
            try
            {
                var (direct, offset, copied) = (length - TailLength, 0, 0);
                foreach (var piece in pieces)
                {
                    var head = Math.Clamp(direct - offset, 0, piece.Length);
                    if (head > 0)
                    {
                        await stream.WriteAsync(piece[..head], cancellationToken);
                    }
                    piece.Span[head..].CopyTo(tail.AsSpan(copied));
                    copied += piece.Length - head;
                    offset += piece.Length;
                }
                await stream.WriteAsync(tail.AsMemory(0, copied), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(tail);
            }
        }

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }
}
