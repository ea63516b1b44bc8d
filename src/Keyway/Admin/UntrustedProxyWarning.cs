using Microsoft.AspNetCore.HttpOverrides;

namespace Keyway.Admin;

/// <summary>
/// Without KEYWAY_TRUSTED_PROXIES, X-Forwarded-For, Forwarded and X-Forwarded-Proto are ignored (anyone can send them),
/// so behind a reverse proxy the admin-login throttle counts every client as the proxy's one address, and the session
/// cookie and origin check see the proxy's scheme and host. The first admin request carrying such a header says so in
/// the log, once; afterwards each admin request costs one volatile read. Only on /admin: the data plane never reads the
/// client's address, and its requests pay nothing.
/// </summary>
internal sealed partial class UntrustedProxyWarning(ILogger<UntrustedProxyWarning> logger) : IEndpointFilter
{
    private int _warned;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (Volatile.Read(ref _warned) == 0 && IsForwarded(context.HttpContext.Request.Headers) && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Log.ForwardedHeadersIgnored(logger, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }
        return next(context);
    }

    private static bool IsForwarded(IHeaderDictionary headers) =>
        headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
        || headers.ContainsKey(ForwardedHeadersDefaults.XForwardedProtoHeaderName)
        || headers.ContainsKey("Forwarded");

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A request from {Peer} carries X-Forwarded-For, Forwarded or X-Forwarded-Proto, which are ignored " +
            "since KEYWAY_TRUSTED_PROXIES is not set: behind a reverse proxy the admin-login throttle counts every client as that address. " +
            "Set KEYWAY_TRUSTED_PROXIES to the proxy's address (this warning is logged once).")]
        public static partial void ForwardedHeadersIgnored(ILogger logger, string peer);
    }
}
