using System.Data.Common;
using Keyway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Lets a test stop admin requests between their database exchanges: every connection a request opens (never one of a
/// background service, which has no request) is numbered per request, and <see cref="BeforeOpen"/> may hold it. Two
/// requests held at their second open have both finished their first read, the interleaving a race needs.
/// </summary>
public sealed class RequestConnectionGate
{
    private const string OpensItem = "test.connection-opens";

    /// <summary>Awaited before each request's n-th open (1-based); null lets every open through.</summary>
    public Func<HttpRequest, int, Task>? BeforeOpen { get; set; }

    /// <summary>Wraps the server's connection factory; pass to <see cref="KeywayServer.StartAsync"/> as replaceServices.</summary>
    public void Install(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        var inner = services.Last(service => service.ServiceType == typeof(IDbConnectionFactory));
        services.AddSingleton<IDbConnectionFactory>(provider => new GatedConnections(
            (IDbConnectionFactory)inner.ImplementationFactory!(provider), provider.GetRequiredService<IHttpContextAccessor>(), this));
    }

    /// <summary>A gate that holds each of the first <paramref name="requests"/> requests to <paramref name="path"/> at their
    /// <paramref name="open"/>-th open until all of them got there.</summary>
    public void HoldTogether(string path, int open, int requests)
    {
        var barrier = new Barrier(requests);
        BeforeOpen = (request, n) => n == open && request.Path.Value!.EndsWith(path, StringComparison.Ordinal)
            ? Task.Run(() => Assert.True(barrier.SignalAndWait(TimeSpan.FromSeconds(30)), "the other requests did not reach the gate"))
            : Task.CompletedTask;
    }

    private sealed class GatedConnections(IDbConnectionFactory inner, IHttpContextAccessor accessor, RequestConnectionGate gate) : IDbConnectionFactory
    {
        public string Dialect => inner.Dialect;

        public string CannotOpen(DbException failure) => inner.CannotOpen(failure);

        public string? FreeSpace() => inner.FreeSpace();

        public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            if (accessor.HttpContext is { } context && gate.BeforeOpen is { } beforeOpen)
            {
                var opens = (context.Items[OpensItem] as int? ?? 0) + 1;
                context.Items[OpensItem] = opens;
                await beforeOpen(context.Request, opens);
            }
            return await inner.OpenAsync(cancellationToken);
        }
    }
}
