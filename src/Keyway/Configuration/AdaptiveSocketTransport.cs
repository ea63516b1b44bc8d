using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Keyway.Configuration;

/// <summary>
/// Kestrel's socket transport, with the scheduling chosen per connection as it is accepted. A connection accepted while
/// no other client is connected runs its reads, its requests and its response writes on the socket's I/O thread (Kestrel's
/// <c>UnsafePreferInlineScheduling</c>): a request then wakes one thread instead of handing over from the I/O thread to
/// the pool and back on each side. The connections opened while others are open get Kestrel's default, the thread pool:
/// on the I/O thread busy connections would wait for each other. The inline setting for every connection cost 7–39% of
/// the requests per second at 32 connections; chosen this way, the thread switches per request at one connection fell
/// from 6–15 to 2.5–2.9, the p50 by 2–63 µs and the CPU time per request by up to 15%, and 32 connections took 1–7% more
/// CPU time per request (bench/RESULTS.md, 2026-12-04 21:56–22:25). Code that may block must not run on an I/O thread:
/// <see cref="IoThreadGuard"/> moves every request but the gateway's forwarding ones to the pool first.
/// </summary>
internal sealed class AdaptiveSocketTransport(IOptions<SocketTransportOptions> options, ILoggerFactory loggers) : IConnectionListenerFactory
{
    /// <summary>
    /// One: a lone client (a developer's Codex, an SDK script) runs inline. With two, 32 busy connections served fewer
    /// requests per second in 7 of 8 scenarios (0.78–0.97 of none inline): the inline ones hold up the I/O thread that
    /// feeds the rest.
    /// </summary>
    public const int InlineWhileOpenAtMost = 1;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var transport = options.Value;
        Socket socket;
        try
        {
            socket = transport.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }
        catch (SocketException e)
        {
            // Kestrel names the address only for "address already in use" and passes every other bind failure (an address
            // not on this machine, a port below 1024 without the privilege) on bare: say which address, as it does.
            throw new IOException($"Failed to bind to address http://{endpoint}: {e.Message}.", e);
        }
        socket.Listen(transport.Backlog);
        var logger = loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets");
        var inline = new SocketConnectionContextFactory(ConnectionOptions(transport, inline: true), logger);
        var pooled = new SocketConnectionContextFactory(ConnectionOptions(transport, inline: false), logger);
        return ValueTask.FromResult<IConnectionListener>(new Listener(socket, transport.NoDelay, inline, pooled));
    }

    /// <summary>
    /// The transport's settings (its buffer pool, from <see cref="IMemoryPoolFactory{T}"/>, among them) for one kind of
    /// connection. Kestrel's own copy is internal and is the only way to carry the pool over; a runtime without it fails
    /// at start-up, never silently with other buffers.
    /// </summary>
    private static SocketConnectionFactoryOptions ConnectionOptions(SocketTransportOptions transport, bool inline)
    {
        var connection = CopyOf(transport);
        connection.UnsafePreferInlineScheduling = inline;
        return connection;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern SocketConnectionFactoryOptions CopyOf(SocketTransportOptions transport);

    /// <summary>
    /// Open connections are kept from accept to close; those whose client is still there at accept decide the new one's
    /// scheduling. A connection whose client has already closed it does not count: wrk opens one to test the address
    /// and closes it right before its real one, and in a third of the benchmark's one-connection runs Kestrel had not
    /// yet seen that close when the real connection arrived, which then ran on the pool (5–8 thread switches a request
    /// instead of 2.6–2.9).
    /// </summary>
    internal sealed class Listener(Socket socket, bool noDelay, SocketConnectionContextFactory inline, SocketConnectionContextFactory pooled) : IConnectionListener
    {
        private readonly HashSet<Socket> _open = [];

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        /// <summary>Connections open on this listener now.</summary>
        public int Open
        {
            get
            {
                lock (_open)
                {
                    return _open.Count;
                }
            }
        }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken);
                }
                catch (ObjectDisposedException)
                {
                    return null; // unbound
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null; // unbound
                }
                catch (SocketException)
                {
                    continue; // the client gave up while in the backlog
                }
                if (accepted.LocalEndPoint is IPEndPoint)
                {
                    accepted.NoDelay = noDelay;
                }
                var factory = Admit(accepted) ? inline : pooled;
                ConnectionContext connection;
                try
                {
                    connection = factory.Create(accepted);
                }
                catch
                {
                    Forget(accepted);
                    accepted.Dispose();
                    throw;
                }
                if (factory == inline)
                {
                    connection.Features.Set(new InlineConnection(this, accepted));
                }
                connection.ConnectionClosed.Register(() => Forget(accepted));
                return connection;
            }
        }

        /// <summary>Adds <paramref name="accepted"/> to the open connections; whether it runs inline.</summary>
        private bool Admit(Socket accepted)
        {
            lock (_open)
            {
                var inline = ClientsBesides(accepted, atMost: InlineWhileOpenAtMost) + 1 <= InlineWhileOpenAtMost;
                _open.Add(accepted);
                return inline;
            }
        }

        /// <summary>Whether a client other than <paramref name="connection"/>'s is connected now.</summary>
        internal bool HasClientsBesides(Socket connection)
        {
            lock (_open)
            {
                return ClientsBesides(connection, atMost: 1) > 0;
            }
        }

        /// <summary>The open connections but <paramref name="connection"/> whose client is still there, counted up to <paramref name="atMost"/>.</summary>
        private int ClientsBesides(Socket connection, int atMost)
        {
            var others = 0;
            foreach (var open in _open)
            {
                if (open != connection && !PeerHasClosed(open) && ++others >= atMost)
                {
                    break;
                }
            }
            return others;
        }

        private void Forget(Socket closed)
        {
            lock (_open)
            {
                _open.Remove(closed);
            }
        }

        /// <summary>
        /// Whether the client has closed its side and everything it sent has been read: the socket polls readable with
        /// nothing to read (its end of stream), or is gone already. Unread bytes count as a client still there.
        /// </summary>
        internal static bool PeerHasClosed(Socket socket)
        {
            try
            {
                return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return true;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            inline.Dispose();
            pooled.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The connection feature of an inline connection: whether its client is, right now, the only one connected. A
    /// request of such a client may do its CPU work on the I/O thread, as no other connection's reads wait behind it
    /// (<see cref="IoThreadGuard.ShouldLeaveWith"/>).
    /// </summary>
    internal sealed class InlineConnection(Listener listener, Socket socket)
    {
        public bool IsAlone => !listener.HasClientsBesides(socket);
    }
}
