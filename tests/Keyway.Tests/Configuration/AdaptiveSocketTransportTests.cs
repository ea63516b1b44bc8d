using System.Net;
using System.Net.Sockets;
using Keyway.Configuration;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Keyway.Tests.Configuration;

/// <summary>
/// The transport counts the connections open on a listener and runs the first ones inline on the I/O thread: what such a
/// connection writes is on the wire when its flush returns. Every other test in this project talks to Keyway through it.
/// </summary>
public sealed class AdaptiveSocketTransportTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private KeywayServer _server = null!;
    private AdaptiveSocketTransport.Listener _listener = null!;
    private readonly List<(TcpClient Client, ConnectionContext Connection)> _connections = [];

    public async Task InitializeAsync()
    {
        _server = await KeywayServer.StartAsync(_dir.Path);
        var transport = new AdaptiveSocketTransport(_server.Services.GetRequiredService<IOptions<SocketTransportOptions>>(), NullLoggerFactory.Instance);
        _listener = (AdaptiveSocketTransport.Listener)await transport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public async Task DisposeAsync()
    {
        foreach (var (client, connection) in _connections)
        {
            client.Dispose();
            await connection.DisposeAsync();
        }
        await _listener.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Keyway_ServesThroughIt()
    {
        Assert.IsType<AdaptiveSocketTransport>(Assert.Single(_server.Services.GetServices<IConnectionListenerFactory>()));
    }

    [Fact]
    public async Task OpenConnections_AreCountedFromAcceptToClose()
    {
        for (var i = 0; i < 3; i++)
        {
            await ConnectAsync();
        }
        Assert.Equal(3, _listener.Open);

        _connections[0].Client.Dispose();

        await WaitUntilAsync(() => _listener.Open == 2);
    }

    [Fact]
    public async Task TheFirstConnections_WriteOnTheCallersThread()
    {
        for (var i = 0; i < AdaptiveSocketTransport.InlineWhileOpenAtMost; i++)
        {
            var (client, connection) = await ConnectAsync();

            await connection.Transport.Output.WriteAsync("hello"u8.ToArray());

            // Inline: the flush itself sent the bytes, so they are already readable on the client's side.
            Assert.Equal(5, client.Available);
        }
    }

    [Fact]
    public async Task AClientThatHasClosedItsConnection_IsToldApartFromOneStillThere()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var leaving = new TcpClient();
        using var staying = new TcpClient();
        using var sending = new TcpClient();
        await leaving.ConnectAsync((IPEndPoint)server.LocalEndpoint);
        using var left = await server.AcceptSocketAsync();
        await staying.ConnectAsync((IPEndPoint)server.LocalEndpoint);
        using var stayed = await server.AcceptSocketAsync();
        await sending.ConnectAsync((IPEndPoint)server.LocalEndpoint);
        using var sent = await server.AcceptSocketAsync();
        await sending.GetStream().WriteAsync("GET"u8.ToArray());
        sending.Client.Shutdown(SocketShutdown.Send);

        leaving.Dispose();

        await WaitUntilAsync(() => AdaptiveSocketTransport.Listener.PeerHasClosed(left));
        Assert.False(AdaptiveSocketTransport.Listener.PeerHasClosed(stayed));
        Assert.False(AdaptiveSocketTransport.Listener.PeerHasClosed(sent)); // its request is still to be read
        var disposed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        disposed.Dispose();
        Assert.True(AdaptiveSocketTransport.Listener.PeerHasClosed(disposed));
    }

    [Fact]
    public async Task AConnectionWhoseClientHasLeft_DoesNotKeepTheNextOneOffTheIoThread()
    {
        var (leaving, _) = await ConnectAsync();
        leaving.Client.Shutdown(SocketShutdown.Both);
        leaving.Dispose();

        var (client, connection) = await ConnectAsync();
        await connection.Transport.Output.WriteAsync("hello"u8.ToArray());

        Assert.Equal(5, client.Available);
    }

    [Fact]
    public async Task AnInlineConnection_KnowsWhileItsClientIsTheOnlyOne()
    {
        var (_, first) = await ConnectAsync();
        var inline = Assert.IsType<AdaptiveSocketTransport.InlineConnection>(first.Features.Get<AdaptiveSocketTransport.InlineConnection>());
        Assert.True(inline.IsAlone);

        var (second, pooled) = await ConnectAsync();

        Assert.Null(pooled.Features.Get<AdaptiveSocketTransport.InlineConnection>());
        Assert.False(inline.IsAlone);
        second.Dispose();
        await WaitUntilAsync(() => inline.IsAlone);
    }

    [Fact]
    public async Task ARequest_SeesItsInlineConnectionAmongItsFeatures()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IConnectionListenerFactory, AdaptiveSocketTransport>();
        await using var app = builder.Build();
        app.MapGet("/", (HttpContext context) => context.Features.Get<AdaptiveSocketTransport.InlineConnection>() is { IsAlone: true } ? "alone" : "not seen");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        Assert.Equal("alone", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task ALoneClientsLargeBody_StaysOnTheIoThread_UntilAnotherClientConnects()
    {
        var (_, connection) = await ConnectAsync();
        var request = new DefaultHttpContext();
        request.Features.Set(connection.Features.Get<AdaptiveSocketTransport.InlineConnection>());
        var large = IoThreadGuard.InlineBodyLimit + 1;

        var leavesAlone = OnOwnThread(() => IoThreadGuard.ShouldLeaveWith(request, large));
        await ConnectAsync();
        var leavesWithCompany = OnOwnThread(() => IoThreadGuard.ShouldLeaveWith(request, large));

        Assert.False(leavesAlone);
        Assert.True(leavesWithCompany);
    }

    [Fact]
    public async Task ConnectionsPastTheInlineOnes_CarryBytesBothWays()
    {
        for (var i = 0; i <= AdaptiveSocketTransport.InlineWhileOpenAtMost; i++)
        {
            await ConnectAsync();
        }
        var (client, connection) = _connections[^1];

        await client.GetStream().WriteAsync("ping"u8.ToArray());
        var read = await connection.Transport.Input.ReadAtLeastAsync(4);
        await connection.Transport.Output.WriteAsync("pong"u8.ToArray());
        var answer = new byte[4];
        await client.GetStream().ReadExactlyAsync(answer);

        Assert.Equal("ping"u8.ToArray(), System.Buffers.BuffersExtensions.ToArray(read.Buffer));
        Assert.Equal("pong"u8.ToArray(), answer);
    }

    [Fact]
    public async Task Connections_ReadIntoKeywaysBuffers()
    {
        var (_, connection) = await ConnectAsync();

        Assert.IsType<ConnectionBufferPool>(connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool);
    }

    [Fact]
    public async Task Unbinding_EndsTheAcceptLoop()
    {
        var accept = _listener.AcceptAsync().AsTask();

        await _listener.UnbindAsync();

        Assert.Null(await accept);
    }

    private async Task<(TcpClient Client, ConnectionContext Connection)> ConnectAsync()
    {
        var client = new TcpClient();
        var accept = _listener.AcceptAsync();
        await client.ConnectAsync((IPEndPoint)_listener.EndPoint);
        var connection = await accept ?? throw new InvalidOperationException("The listener stopped accepting.");
        _connections.Add((client, connection));
        return (client, connection);
    }

    /// <summary>Runs <paramref name="decide"/> on a thread outside the pool, as an I/O thread is.</summary>
    private static bool OnOwnThread(Func<bool> decide)
    {
        var result = false;
        var thread = new Thread(() => result = decide());
        thread.Start();
        thread.Join();
        return result;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(10);
        }
    }
}
