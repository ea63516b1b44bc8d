using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Keyway.Admin;

/// <summary>
/// The admin web UI: <c>GET /</c> answers index.html and <c>/ui/*</c> the ES modules and the stylesheet, all embedded in
/// the binary (wwwroot/), under a strict Content-Security-Policy. The UI talks to the server only through /admin/*.
/// </summary>
public static class AdminUi
{
    /// <summary>Only this origin's own files: no inline script or style, no framing, no other host.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly EmbeddedFileProvider Files = new(typeof(AdminUi).Assembly, "Keyway.wwwroot");
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapAdminUi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        endpoints.MapGet("/ui/{**path}", (HttpContext http, string path) => Serve(http, path));
        return endpoints;
    }

    private static IResult Serve(HttpContext http, string path)
    {
        var file = Files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || !ContentTypes.TryGetContentType(path, out var contentType))
        {
            return TypedResults.NotFound();
        }
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        // frame-ancestors covers current browsers; X-Frame-Options the ones that predate it.
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return TypedResults.Stream(file.CreateReadStream(), contentType);
    }
}
