using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A loopback "upstream" that answers every request with the same raw bytes and then closes the connection: for
/// answers Kestrel will not send, such as a final 101 to a POST, or bytes that are no UTF-8 (each char of the answer is
/// sent as one byte, Latin-1, so <c>\u00FF</c> is the byte 0xFF). It reads each request's head and its Content-Length
/// body first, so the gateway's send completes before the answer comes.
/// </summary>
public sealed class RawUpstream : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _answer;
    private readonly RawEnd _end;
    private readonly CancellationTokenSource _stopping = new();
    private int _requests;

    public RawUpstream(string answer, RawEnd end = RawEnd.Close)
    {
        _answer = Encoding.Latin1.GetBytes(answer);
        _end = end;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _ = AcceptAsync();
    }

    /// <summary>The root address, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");

    /// <summary>How many requests were answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _ = AnswerAsync(await _listener.AcceptAsync());
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The listener was disposed: no more callers.
        }
    }

    private async Task AnswerAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                await ReadRequestAsync(connection);
                Interlocked.Increment(ref _requests);
                if (_end == RawEnd.Reset)
                {
                    connection.LingerState = new LingerOption(true, 0);
                    return;
                }
                await connection.SendAsync(_answer);
                if (_end == RawEnd.HoldOpen)
                {
                    await Task.Delay(Timeout.Infinite, _stopping.Token);
                }
                connection.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The gateway went away first.
            }
        }
    }

    private static async Task ReadRequestAsync(Socket connection)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = await connection.ReceiveAsync(buffer);
            if (read == 0)
            {
                return;
            }
            received.Write(buffer, 0, read);
        }
        var head = Encoding.ASCII.GetString(received.ToArray(), 0, headEnd);
        var length = head.Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        while (received.Length < headEnd + 4 + length)
        {
            var read = await connection.ReceiveAsync(buffer);
            if (read == 0)
            {
                return;
            }
            received.Write(buffer, 0, read);
        }
    }
}

/// <summary>How a <see cref="RawUpstream"/> ends each connection.</summary>
public enum RawEnd
{
    /// <summary>Sends the answer, then closes its side.</summary>
    Close,

    /// <summary>Sends the answer, then keeps the connection open and silent until disposed.</summary>
    HoldOpen,

    /// <summary>Sends nothing and resets the connection (RST) once the request is read.</summary>
    Reset,
}
