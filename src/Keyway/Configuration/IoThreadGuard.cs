namespace Keyway.Configuration;

/// <summary>
/// Keeps blocking work off the sockets' I/O threads, where <see cref="AdaptiveSocketTransport"/> runs the requests of
/// its inline connections: a request that arrives there continues on the thread pool unless its endpoint is marked
/// <see cref="NonBlocking"/>. The admin API and UI, health and metrics are not (SQLite's calls block their thread; on an
/// I/O thread they would stall every connection it serves); the gateway's forwarding endpoints are: they only await.
/// </summary>
internal static class IoThreadGuard
{
    /// <summary>Endpoint metadata: the handler never blocks its thread, so it may run on an I/O thread.</summary>
    public static readonly object NonBlocking = new NonBlockingEndpoint();

    /// <summary>
    /// The largest request body a non-blocking handler works on where it arrived while other clients are connected: one
    /// of Kestrel's read blocks. Claude Code's 60–150 KB take tens of µs of CPU to parse, rewrite or translate (~60 for
    /// 88 KB translated, bench/micro), during which an I/O thread would hold up the reads of every other connection it serves.
    /// </summary>
    public const int InlineBodyLimit = ConnectionBufferPool.BlockSize;

    /// <summary>
    /// Whether a handler holding a body of <paramref name="length"/> bytes should continue on the pool first: a large
    /// one on an I/O thread does, unless its client is the only one connected (nobody's reads wait then, and the hop
    /// would cost the lone client's request ~3.5 thread switches).
    /// </summary>
    public static bool ShouldLeaveWith(HttpContext context, int length) =>
        length > InlineBodyLimit
        && !Thread.CurrentThread.IsThreadPoolThread
        && context.Features.Get<AdaptiveSocketTransport.InlineConnection>() is not { IsAlone: true };

    public static void UseIoThreadGuard(this IApplicationBuilder app) =>
        app.Use((context, next) => Thread.CurrentThread.IsThreadPoolThread || IsNonBlocking(context)
            ? next(context)
            : ContinueOnThreadPoolAsync(context, next));

    private static bool IsNonBlocking(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<NonBlockingEndpoint>() is not null;

    private static async Task ContinueOnThreadPoolAsync(HttpContext context, RequestDelegate next)
    {
        if (HasBody(context.Request))
        {
            // Read here, where its bytes arrive: a handler awaiting a body still in flight would be resumed on the I/O
            // thread (an inline connection completes its reads there) and make its blocking calls on it.
            context.Request.EnableBuffering();
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Request.Body.Position = 0;
        }
        await Task.Yield();
        await next(context);
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;

    private sealed class NonBlockingEndpoint;
}
