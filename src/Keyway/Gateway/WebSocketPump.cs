using System.Buffers;
using System.Net.WebSockets;

namespace Keyway.Gateway;

/// <summary>
/// Copies whole WebSocket messages from one socket to the other until the source closes, then passes the close on.
/// Text messages go through a callback that may rewrite (client → upstream) or read (upstream → client) them; they
/// are small JSON events, so each is assembled before it is sent, up to <see cref="MaxMessageBytes"/>.
/// </summary>
internal static class WebSocketPump
{
    public const int MaxMessageBytes = 32 * 1024 * 1024;

    private const int BufferBytes = 16 * 1024;

    public static async Task CopyAsync(WebSocket source, WebSocket destination, Func<byte[], byte[]> onText, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await source.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync(destination, source.CloseStatus ?? WebSocketCloseStatus.NormalClosure, source.CloseStatusDescription, cancellationToken);
                        return;
                    }
                    if (message.Length + received.Count > MaxMessageBytes)
                    {
                        await CloseAsync(source, WebSocketCloseStatus.MessageTooBig, "message too large", cancellationToken);
                        await CloseAsync(destination, WebSocketCloseStatus.MessageTooBig, "message too large", cancellationToken);
                        return;
                    }
                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);
                var bytes = message.ToArray();
                if (received.MessageType == WebSocketMessageType.Text)
                {
                    bytes = onText(bytes);
                }
                await destination.SendAsync(bytes, received.MessageType, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a close frame unless this side already did or the socket is gone.</summary>
    private static Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string? description, CancellationToken cancellationToken) =>
        socket.State is WebSocketState.Open or WebSocketState.CloseReceived
            ? socket.CloseOutputAsync(status, description, cancellationToken)
            : Task.CompletedTask;
}
