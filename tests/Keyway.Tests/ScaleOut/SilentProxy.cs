using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Keyway.Storage;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// A loopback TCP proxy in front of PostgreSQL that can lose connections the way a failover or a NAT dropping its state
/// does: no FIN, no RST, the socket stays open and every byte from then on is swallowed, for ever.
/// <see cref="SilenceOpenConnections"/> does it to the connections open now (new ones work); <see cref="SilenceEverything"/>
/// also to every connection accepted afterwards (a server that answers nothing, like one stopped with SIGSTOP);
/// <see cref="SilenceTheNextCommittedCopy"/> to a connection just after the server committed a COPY.
/// </summary>
public sealed class SilentProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _silenceNew;
    private volatile bool _silenceCommittedCopy;

    private SilentProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A proxy to the server <paramref name="databaseUrl"/> names (Npgsql form).</summary>
    public static SilentProxy For(string databaseUrl)
    {
        var builder = PostgresConnectionString.Parse(databaseUrl);
        return new SilentProxy(new IPEndPoint(IPAddress.Parse(builder.Host!), builder.Port));
    }

    /// <summary><paramref name="databaseUrl"/>, through this proxy.</summary>
    public string Route(string databaseUrl)
    {
        var builder = PostgresConnectionString.Parse(databaseUrl);
        builder.Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        return builder.ConnectionString;
    }

    public void SilenceOpenConnections()
    {
        foreach (var link in _links.Keys)
        {
            link.Silenced = true;
        }
    }

    public void SilenceEverything()
    {
        _silenceNew = true;
        SilenceOpenConnections();
    }

    /// <summary>
    /// Silences the next connection on which a COPY commits (its own transaction, or the one a COMMIT ends after it), from
    /// the server's answer to that commit on: the rows are in, but the client never learns it.
    /// </summary>
    public void SilenceTheNextCommittedCopy() => _silenceCommittedCopy = true;

    /// <summary>New connections work again (the silenced ones stay dead), so a server under test can stop without waiting.</summary>
    public void AcceptAgain() => _silenceNew = false;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(_target, _stop.Token);
                var link = new Link(client, server) { Silenced = _silenceNew };
                _links[link] = 0;
                // Both streams first: a pump whose side is already closed disposes the link before the second one starts.
                var (fromClient, fromServer) = (client.GetStream(), server.GetStream());
                _ = PumpAsync(link, fromClient, fromServer, fromTheServer: false);
                _ = PumpAsync(link, fromServer, fromClient, fromTheServer: true);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // The proxy stops.
        }
    }

    /// <summary>Copies one direction until either side closes; a silenced link swallows what it reads and closes nothing.</summary>
    private async Task PumpAsync(Link link, NetworkStream from, NetworkStream to, bool fromTheServer)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (fromTheServer && _silenceCommittedCopy && link.CommitsACopy(buffer.AsSpan(0, read)))
                {
                    _silenceCommittedCopy = false;
                    link.Silenced = true;
                }
                if (!link.Silenced)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A side went away, or the proxy stops: the other side learns it below, unless the link is silenced.
        }
        if (!link.Silenced && _links.TryRemove(link, out _))
        {
            link.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var link in _links.Keys)
        {
            link.Dispose();
        }
        _stop.Dispose();
    }

    private sealed class Link(TcpClient client, TcpClient server) : IDisposable
    {
        public volatile bool Silenced;

        private bool _copied;

        /// <summary>
        /// Whether this chunk of the server's answers ends a transaction that held a COPY: a ReadyForQuery saying "idle"
        /// once a COPY's CommandComplete ("COPY n") was seen. (Loopback delivers these short messages whole.)
        /// </summary>
        public bool CommitsACopy(ReadOnlySpan<byte> answers)
        {
            var copy = answers.IndexOf("COPY "u8);
            _copied |= copy >= 0;
            return _copied && answers[Math.Max(copy, 0)..].IndexOf("Z\0\0\0\u0005I"u8) >= 0;
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
