using System.Net;
using System.Net.Sockets;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A loopback "upstream" that accepts connections and never reads a byte from them, so a request body larger than what
/// the sockets between can hold is never sent in full. Its receive buffer is set small on the listening socket: accepted
/// sockets inherit it, and the kernel does not grow a buffer set so. The sender's buffer is the kernel's to size
/// (at most net.ipv4.tcp_wmem's maximum, 4 MiB by default on Linux).
/// </summary>
public sealed class NonReadingUpstream : IDisposable
{
    /// <summary>What the accepted sockets may hold unread (Linux doubles the value set, for its bookkeeping).</summary>
    private const int ReceiveBuffer = 64 * 1024;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Socket> _connections = [];

    public NonReadingUpstream()
    {
        _listener.ReceiveBufferSize = ReceiveBuffer;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _ = AcceptAsync();
    }

    /// <summary>The root address, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");

    /// <summary>Completes once a caller has connected (and may be sending).</summary>
    public Task Accepted => _accepted.Task;

    public void Dispose()
    {
        _listener.Dispose();
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptAsync();
                lock (_connections)
                {
                    _connections.Add(connection);
                }
                _accepted.TrySetResult();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The listener was disposed: no more callers.
        }
    }
}
