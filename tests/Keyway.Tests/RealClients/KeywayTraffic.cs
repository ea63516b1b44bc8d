using System.Diagnostics;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.RealClients;

/// <summary>One request as Keyway's own pipeline saw it: the raw path with its query, the headers, and Keyway's status.</summary>
public sealed record SeenRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, int Status);

/// <summary>
/// Records every request an in-process Keyway server handled, through the ASP.NET Core hosting diagnostics of that
/// server's own <see cref="DiagnosticListener"/> (so the fake upstream's requests are not mixed in).
/// </summary>
public sealed class KeywayTraffic : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string RequestStopEvent = "Microsoft.AspNetCore.Hosting.HttpRequestIn.Stop";

    private readonly Lock _gate = new();
    private readonly List<SeenRequest> _seen = [];
    private readonly IDisposable _subscription;

    public KeywayTraffic(KeywayServer server)
    {
        _subscription = server.Services.GetRequiredService<DiagnosticListener>().Subscribe(this, (name, _, _) => name.StartsWith("Microsoft.AspNetCore.Hosting.HttpRequestIn", StringComparison.Ordinal));
    }

    public IReadOnlyList<SeenRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>One line per request, for assertion messages.</summary>
    public string Describe() => string.Join('\n', Requests.Select(seen => $"{seen.Method} {seen.Path}{seen.Query} → {seen.Status}"));

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != RequestStopEvent || value.Value is not HttpContext context)
        {
            return;
        }
        var headers = context.Request.Headers.ToDictionary(
            header => header.Key, header => string.Join(", ", header.Value.ToArray()), StringComparer.OrdinalIgnoreCase);
        var seen = new SeenRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", headers, context.Response.StatusCode);
        lock (_gate)
        {
            _seen.Add(seen);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();
}
