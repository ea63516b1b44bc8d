using System.Net;
using Keyway.Protocols;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// An attempt's JSON body: built once per target, sent once per attempt. Either bytes of their own, or the client's
/// body with the model (and maybe the usage option) spliced in, sent in pieces from the client's pooled array without a
/// copy: Claude Code's 60–150 KB request on every turn was otherwise copied whole, most of what a passed-through
/// request allocated.
/// </summary>
internal abstract class UpstreamBody
{
    /// <summary>Bytes of their own.</summary>
    public static UpstreamBody Of(byte[] bytes) => new Whole(bytes);

    /// <summary>The client's body edited in place; each send holds <paramref name="client"/>'s array while it reads it.</summary>
    public static UpstreamBody Edited(RequestBodyBuffer client, EditedBody edited) => new Spliced(client, edited);

    /// <summary>The bytes in an array of their own, for the rarer steps that rewrite the body again (defaults, web search, tool fallback).</summary>
    public abstract byte[] ToArray();

    /// <summary>A fresh content for one attempt.</summary>
    public abstract HttpContent CreateContent();

    private sealed class Whole(byte[] bytes) : UpstreamBody
    {
        public override byte[] ToArray() => bytes;

        public override HttpContent CreateContent() => UpstreamClient.JsonContent(bytes);
    }

    private sealed class Spliced(RequestBodyBuffer client, EditedBody edited) : UpstreamBody
    {
        public override byte[] ToArray() => edited.ToArray();

        public override HttpContent CreateContent()
        {
            var content = new PiecesContent(client, edited);
            content.Headers.ContentType = UpstreamClient.JsonContentType;
            return content;
        }
    }

    private sealed class PiecesContent(RequestBodyBuffer client, EditedBody edited) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            if (!client.TryHold())
            {
                throw new ObjectDisposedException(nameof(RequestBodyBuffer), "The request this body belongs to is over.");
            }
            try
            {
                foreach (var piece in edited.Pieces)
                {
                    await stream.WriteAsync(piece, cancellationToken);
                }
            }
            finally
            {
                client.Release();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = edited.Length;
            return true;
        }
    }
}
