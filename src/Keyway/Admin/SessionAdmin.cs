using Keyway.Configuration;

namespace Keyway.Admin;

/// <summary>/admin/login, /admin/session, /admin/logout and /admin/config.</summary>
internal static class SessionAdmin
{
    public static void MapSessionPublicAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/login", LoginAsync);
        admin.MapPost("/logout", LogoutAsync);
    }

    public static void MapSessionAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/session", () => Ok());
        admin.MapGet("/config", GetConfig);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext http, KeywayOptions options, AdminSessions sessions, AdminLoginThrottle throttle, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, cancellationToken);
        var token = body.RequiredString("token", 256);
        if (AdminAuthFilter.CheckToken(http, token, options.AdminToken, throttle, AdminErrors.InvalidToken) is { } refusal)
        {
            return refusal;
        }
        var session = await sessions.StartAsync(cancellationToken);
        http.Response.Cookies.Append(AdminSessions.CookieName, session, AdminSessions.CookieOptions(http.Request));
        return Ok();
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, AdminSessions sessions, CancellationToken cancellationToken)
    {
        if (http.Request.Cookies.TryGetValue(AdminSessions.CookieName, out var session))
        {
            await sessions.EndAsync(session, cancellationToken);
        }
        http.Response.Cookies.Delete(AdminSessions.CookieName, AdminSessions.CookieOptions(http.Request));
        return Ok();
    }

    private static IResult GetConfig(HttpRequest request, KeywayOptions options)
    {
        var baseUrl = string.IsNullOrEmpty(options.PublicBaseUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : options.PublicBaseUrl;
        return TypedResults.Json(new AdminConfigResponse(new AdminConfig(baseUrl.TrimEnd('/'))), AdminJsonContext.Default.AdminConfigResponse);
    }

    private static IResult Ok() => TypedResults.Json(new OkResponse(), AdminJsonContext.Default.OkResponse);
}
