using Keyway.Configuration;

namespace Keyway.Admin;

/// <summary>
/// CSRF defence for writes authenticated by the session cookie (on top of its SameSite=Strict): the browser's Origin
/// header, or the Referer when a browser sent no Origin, must name this server — the address the request came to,
/// KEYWAY_PUBLIC_BASE_URL, or an origin of KEYWAY_CORS_ORIGINS (allowed to call with credentials). A write with
/// neither header is refused too: every browser sends Origin on a POST, PUT, PATCH or DELETE. Reads change nothing and
/// are not checked; calls with X-Admin-Token carry no ambient credential and are not checked either.
/// </summary>
internal static class SameOriginCheck
{
    public const string Refused = "Cross-site request refused: a session-authenticated write must come from this server's own pages (Origin or Referer).";

    public static bool IsAllowed(HttpRequest request, KeywayOptions options)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return true;
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 && Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer))
        {
            origin = referer.GetLeftPart(UriPartial.Authority);
        }
        if (origin.Length == 0 || origin == "null")
        {
            return false;
        }
        return SameOrigin(origin, $"{request.Scheme}://{request.Host}")
            || (options.PublicBaseUrl is { } publicUrl && Uri.TryCreate(publicUrl, UriKind.Absolute, out var configured)
                && SameOrigin(origin, configured.GetLeftPart(UriPartial.Authority)))
            || options.CorsOrigins.Any(allowed => SameOrigin(origin, allowed));
    }

    private static bool SameOrigin(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
