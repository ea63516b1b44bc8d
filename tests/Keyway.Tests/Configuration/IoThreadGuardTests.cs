using Keyway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Configuration;

/// <summary>
/// A request that reaches the pipeline on a thread outside the pool (an I/O thread, here a thread of the test's own)
/// goes on on the pool, unless its endpoint is marked as never blocking: the gateway's forwarding endpoints stay.
/// </summary>
public sealed class IoThreadGuardTests
{
    [Fact]
    public void AnUnmarkedEndpoint_ContinuesOnThePool() =>
        Assert.True(EndpointRunsOnPool(new Endpoint(null, EndpointMetadataCollection.Empty, "admin")));

    [Fact]
    public void ARequestWithoutEndpoint_ContinuesOnThePool() => Assert.True(EndpointRunsOnPool(null));

    [Fact]
    public void ANonBlockingEndpoint_StaysOnItsThread() =>
        Assert.False(EndpointRunsOnPool(new Endpoint(null, new EndpointMetadataCollection(IoThreadGuard.NonBlocking), "gateway")));

    [Fact]
    public async Task OnlyALargeBodyOnAnIoThread_LeavesIt()
    {
        var context = new DefaultHttpContext(); // no inline connection: the client may not be alone
        bool small = true, large = false;
        var thread = new Thread(() =>
        {
            small = IoThreadGuard.ShouldLeaveWith(context, IoThreadGuard.InlineBodyLimit);
            large = IoThreadGuard.ShouldLeaveWith(context, IoThreadGuard.InlineBodyLimit + 1);
        });
        thread.Start();
        thread.Join();
        var largeOnPool = await Task.Run(() => IoThreadGuard.ShouldLeaveWith(context, IoThreadGuard.InlineBodyLimit + 1));

        Assert.False(small);
        Assert.True(large);
        Assert.False(largeOnPool);
    }

    [Fact]
    public async Task TheGatewaysForwardingEndpoints_AreMarkedNonBlocking()
    {
        using var dir = new Infrastructure.TempDirectory();
        await using var server = await Infrastructure.KeywayServer.StartAsync(dir.Path);
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var path in new[] { "/v1/chat/completions", "/v1/messages", "/v1/responses", "/chat/completions", "/messages", "/responses" })
        {
            var post = endpoints.Single(e => e.RoutePattern.RawText == path && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);
            Assert.Contains(IoThreadGuard.NonBlocking, post.Metadata);
        }
        Assert.DoesNotContain(endpoints, e => e.RoutePattern.RawText?.StartsWith("/admin", StringComparison.Ordinal) == true && e.Metadata.Contains(IoThreadGuard.NonBlocking));
    }

    [Fact]
    public void ABodyReadBeforeTheHop_ReachesTheHandlerWhole()
    {
        var body = new string('x', 100_000);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = body.Length;
        string? received = null;

        RunOnOwnThread(null, context, async handler => received = await new StreamReader(handler.Request.Body).ReadToEndAsync());

        Assert.Equal(body, received);
    }

    private static bool EndpointRunsOnPool(Endpoint? endpoint)
    {
        bool? onPool = null;
        RunOnOwnThread(endpoint, new DefaultHttpContext(), _ =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return Task.CompletedTask;
        });
        return onPool ?? throw new InvalidOperationException("The endpoint did not run.");
    }

    /// <summary>Runs the guard and then <paramref name="handler"/> for a request that arrives on a thread outside the pool.</summary>
    private static void RunOnOwnThread(Endpoint? endpoint, HttpContext context, RequestDelegate handler)
    {
        var app = new ApplicationBuilder(new ServiceCollection().BuildServiceProvider());
        app.UseIoThreadGuard();
        app.Run(handler);
        var pipeline = app.Build();
        context.SetEndpoint(endpoint);

        var thread = new Thread(() => pipeline(context).GetAwaiter().GetResult());
        thread.Start();
        thread.Join();
    }
}
