using System.Net;
using Keyway.Protocols;
using Keyway.Protocols.Json;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// An attempt's JSON body: built once per target, sent once per attempt. Bytes of their own; or bytes in a pooled array
/// (the client's body with its model spliced in, a translation), sent from there without a copy, each send holding the
/// array while it reads it: Claude Code's 60–150 KB request on every turn was otherwise copied whole, most of what a
/// request allocated.
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

    /// <summary>A fresh content for one attempt.</summary>
    public abstract HttpContent CreateContent();

    private sealed class Whole(byte[] bytes) : UpstreamBody
    {
        public override byte[] ToArray() => bytes;

        public override HttpContent CreateContent() => UpstreamClient.JsonContent(bytes);
    }

    /// <summary>Pieces that lie in <paramref name="array"/> (replacements between them may not).</summary>
    private sealed class Pooled(LeasedBytes array, IEnumerable<ReadOnlyMemory<byte>> pieces, int length, Func<byte[]> copy) : UpstreamBody
    {
        public override byte[] ToArray() => copy();

        public override HttpContent CreateContent()
        {
            var content = new PiecesContent(array, pieces, length);
            content.Headers.ContentType = UpstreamClient.JsonContentType;
            return content;
        }
    }

    private sealed class PiecesContent(LeasedBytes array, IEnumerable<ReadOnlyMemory<byte>> pieces, int length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            if (!array.TryHold())
            {
                throw new ObjectDisposedException(nameof(LeasedBytes), "The request this body belongs to is over.");
            }
            try
            {
                foreach (var piece in pieces)
                {
                    await stream.WriteAsync(piece, cancellationToken);
                }
            }
            finally
            {
                array.Release();
            }
        }

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }
}
