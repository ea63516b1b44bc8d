using System.Buffers;
using System.Net.WebSockets;

namespace Keyway.Gateway;

/// <summary>
/// Copies whole WebSocket messages from one socket to the other until the source closes, then passes the close on.
/// Text messages go through a callback that may rewrite (client → upstream), read (upstream → client) or answer them
/// back to the source instead; they are small JSON events, so each is assembled before it is sent, up to
/// <see cref="MaxMessageBytes"/>. Both directions of a relay share one send gate, because a socket accepts only one
/// send at a time and an answer goes to the socket the other direction writes to.
/// </summary>
internal static class WebSocketPump
{
    public const int MaxMessageBytes = 32 * 1024 * 1024;

    private const int BufferBytes = 16 * 1024;

    /// <summary>
    /// Copies until the source closes; <paramref name="pendingReceive"/>, when given, is a read of the source begun
    /// earlier (<see cref="ReceiveAsync(WebSocket, CancellationToken)"/>), whose message comes first.
    /// </summary>
    public static async Task CopyAsync(
        WebSocket source, WebSocket destination, Func<byte[], PumpedText> onText, SemaphoreSlim sends, CancellationToken cancellationToken,
        Task<WebSocketMessage>? pendingReceive = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                var received = pendingReceive is null ? await ReceiveAsync(source, buffer, message, cancellationToken) : await pendingReceive;
                pendingReceive = null;
                if (received.Type == WebSocketMessageType.Close)
                {
                    await CloseAsync(source, received.CloseStatus, received.CloseDescription, sends, cancellationToken);
                    await CloseAsync(destination, received.CloseStatus, received.CloseDescription, sends, cancellationToken);
                    return;
                }
                var pumped = received.Type == WebSocketMessageType.Text ? onText(received.Bytes) : new PumpedText(received.Bytes, Answer: false);
                await SendAsync(pumped.Answer ? source : destination, pumped.Bytes, received.Type, sends, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One whole message; the peer's close, or a message over the cap, is a close to pass on (no bytes).</summary>
    public static async Task<WebSocketMessage> ReceiveAsync(WebSocket source, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var message = new MemoryStream();
            return await ReceiveAsync(source, buffer, message, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task SendAsync(WebSocket socket, byte[] bytes, WebSocketMessageType type, SemaphoreSlim sends, CancellationToken cancellationToken)
    {
        await sends.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sends.Release();
        }
    }

    /// <summary>Sends a close frame (or answers the peer's) unless this side already did or the socket is gone.</summary>
    public static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string? description, SemaphoreSlim sends, CancellationToken cancellationToken)
    {
        await sends.WaitAsync(cancellationToken);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, description, cancellationToken);
            }
        }
        finally
        {
            sends.Release();
        }
    }

    private static async Task<WebSocketMessage> ReceiveAsync(WebSocket source, byte[] buffer, MemoryStream message, CancellationToken cancellationToken)
    {
        message.SetLength(0);
        ValueWebSocketReceiveResult received;
        do
        {
            received = await source.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return WebSocketMessage.Closed(source.CloseStatus ?? WebSocketCloseStatus.NormalClosure, source.CloseStatusDescription);
            }
            if (message.Length + received.Count > MaxMessageBytes)
            {
                return WebSocketMessage.Closed(WebSocketCloseStatus.MessageTooBig, "message too large");
            }
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return new WebSocketMessage(received.MessageType, message.ToArray(), WebSocketCloseStatus.Empty, null);
    }
}

/// <summary>A whole received message, or (type Close, no bytes) the close that ended the source.</summary>
internal readonly record struct WebSocketMessage(WebSocketMessageType Type, byte[] Bytes, WebSocketCloseStatus CloseStatus, string? CloseDescription)
{
    public static WebSocketMessage Closed(WebSocketCloseStatus status, string? description) => new(WebSocketMessageType.Close, [], status, description);
}

/// <summary>What the pump sends for a text message: the (rewritten) message onwards, or an answer back to its sender.</summary>
internal readonly record struct PumpedText(byte[] Bytes, bool Answer);
