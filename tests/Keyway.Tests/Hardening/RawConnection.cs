using System.Net.Sockets;
using System.Text;

namespace Keyway.Tests.Hardening;

/// <summary>A bare TCP connection to the server, for clients no HttpClient would imitate: slow headers, endless bodies.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream? _stream;

    public static async Task<RawConnection> OpenAsync(Uri server)
    {
        var connection = new RawConnection();
        await connection._client.ConnectAsync(server.Host, server.Port);
        connection._stream = connection._client.GetStream();
        return connection;
    }

    /// <summary>Writes text; false once the server has closed or reset the connection.</summary>
    public async Task<bool> TrySendAsync(string text) => await TrySendAsync(Encoding.ASCII.GetBytes(text));

    public async Task<bool> TrySendAsync(byte[] bytes)
    {
        try
        {
            await _stream!.WriteAsync(bytes);
            await _stream.FlushAsync();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Everything the server sends until it closes the connection (or resets it), as text.</summary>
    public async Task<string> ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await _stream!.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer: what arrived before it is the answer.
        }
        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>Reads until the server has sent <paramref name="text"/> (e.g. its <c>100 Continue</c>); returns what it read.</summary>
    public async Task<string> ReadUntilAsync(string text, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(text, StringComparison.Ordinal))
        {
            var read = await _stream!.ReadAsync(buffer, cancellationToken);
            Assert.True(read > 0, $"closed before '{text}': {received}");
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return received.ToString();
    }

    /// <summary>
    /// Sends a POST's head asking <c>Expect: 100-continue</c> and waits for the server's <c>100 Continue</c>: from then on
    /// the server is reading the body.
    /// </summary>
    public async Task StartBodyAsync(string path, string key, string framing, string contentType, CancellationToken cancellationToken)
    {
        await TrySendAsync($"POST {path} HTTP/1.1\r\nHost: keyway\r\nAuthorization: Bearer {key}\r\nContent-Type: {contentType}\r\n{framing}\r\nExpect: 100-continue\r\n\r\n");
        await ReadUntilAsync("100 Continue", cancellationToken);
    }

    /// <summary>Closes the sending side (a FIN), as a client does that gives up on its request but not on reading.</summary>
    public void CloseSending() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Drops the connection with a TCP reset, as a killed process or a lost network does.</summary>
    public void Reset()
    {
        _client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        _client.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
