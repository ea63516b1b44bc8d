using Keyway.Configuration;
using Keyway.Security;

namespace Keyway.Admin;

/// <summary>
/// Admits a request carrying the admin token in X-Admin-Token (compared in constant time, wrong guesses
/// throttled per address: the connection's, or the client's a proxy of KEYWAY_TRUSTED_PROXIES forwarded) or an
/// active session cookie; anything else gets 401. A write on the session cookie must
/// also come from this server's own pages (<see cref="SameOriginCheck"/>), else 403.
/// </summary>
internal sealed class AdminAuthFilter(KeywayOptions options, AdminSessions sessions, AdminLoginThrottle throttle) : IEndpointFilter
{
    public const string TokenHeader = "X-Admin-Token";

    /// <summary>
    /// Built by hand rather than with AddEndpointFilter&lt;T&gt;(), whose activator compiles an expression tree: that
    /// alone loaded System.Linq.Expressions and cost ~2.5 MB of idle RSS (issue 8).
    /// </summary>
    public static AdminAuthFilter Create(IServiceProvider services) => new(
        services.GetRequiredService<KeywayOptions>(),
        services.GetRequiredService<AdminSessions>(),
        services.GetRequiredService<AdminLoginThrottle>());

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Headers.TryGetValue(TokenHeader, out var header))
        {
            return CheckToken(http, header.ToString(), options.AdminToken, throttle) is { } refusal ? refusal : await next(context);
        }
        if (http.Request.Cookies.TryGetValue(AdminSessions.CookieName, out var cookie)
            && await sessions.IsActiveAsync(cookie, http.RequestAborted))
        {
            return SameOriginCheck.IsAllowed(http.Request, options)
                ? await next(context)
                : AdminErrors.Result(StatusCodes.Status403Forbidden, SameOriginCheck.Refused);
        }
        return AdminErrors.Result(StatusCodes.Status401Unauthorized, AdminErrors.AuthenticationRequired);
    }

    /// <summary>Null when the token is right; otherwise the 429 or 401 to answer (a wrong token counts as a failure).</summary>
    public static IResult? CheckToken(HttpContext http, string presented, string expected, AdminLoginThrottle throttle, string wrongTokenDetail = AdminErrors.AuthenticationRequired)
    {
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.IsBlocked(client))
        {
            return AdminErrors.Result(StatusCodes.Status429TooManyRequests, AdminErrors.TooManyFailures);
        }
        if (presented.Length > 0 && TokenComparer.FixedTimeEquals(presented, expected))
        {
            return null;
        }
        throttle.RecordFailure(client);
        return AdminErrors.Result(StatusCodes.Status401Unauthorized, wrongTokenDetail);
    }
}
