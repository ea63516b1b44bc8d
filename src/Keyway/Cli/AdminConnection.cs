using Keyway.Configuration;

namespace Keyway.Cli;

/// <summary>
/// Where the admin API is and the token for it. URL: --url, KEYWAY_URL, the address in data/keyway.pid, then
/// KEYWAY_HOST:KEYWAY_PORT. Token: --token, KEYWAY_ADMIN_TOKEN, then data/admin.token (what the server generated).
/// </summary>
/// <param name="Token">Null only from <see cref="ResolveTokenOptional"/>, when none is configured.</param>
/// <param name="Named">The URL was given (--url, KEYWAY_URL) rather than this directory's own gateway's.</param>
public sealed record AdminConnection(Uri BaseUrl, string? Token, bool Named)
{
    /// <exception cref="CliException">Exit code 2 for a URL that is not http(s) or when no admin token is configured.</exception>
    public static AdminConnection Resolve(CliContext context, string? url, string? token) =>
        ResolveTokenOptional(context, url, token) is { Token: not null } connection
            ? connection
            : throw new CliException($"no admin token: {MissingTokenHint(context)}", CliExitCodes.Usage);

    /// <summary>As <see cref="Resolve"/>, but without a token configured the connection has none: /health needs none.</summary>
    public static AdminConnection ResolveTokenOptional(CliContext context, string? url, string? token)
    {
        var namedUrl = url ?? context.Get("KEYWAY_URL");
        var baseUrl = namedUrl ?? ServerStateFile.ReadLive(context.DataDir)?.Address ?? DefaultUrl(context);
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"not an http(s) URL: {baseUrl}", CliExitCodes.Usage);
        }
        var tokenFile = TokenFile(context);
        var adminToken = token ?? context.Get("KEYWAY_ADMIN_TOKEN") ?? (File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null);
        return new AdminConnection(uri, adminToken, Named: namedUrl is not null);
    }

    public static string MissingTokenHint(CliContext context) =>
        $"pass --token, set KEYWAY_ADMIN_TOKEN, or run where {TokenFile(context)} exists";

    private static string TokenFile(CliContext context) => Path.Combine(context.DataDir, KeywayOptionsLoader.AdminTokenFileName);

    /// <summary>The address the server of this directory would listen on; a wildcard bind is reached on loopback.</summary>
    private static string DefaultUrl(CliContext context)
    {
        var host = context.Get("KEYWAY_HOST") ?? "127.0.0.1";
        host = host switch { "0.0.0.0" => "127.0.0.1", "::" or "[::]" => "[::1]", _ => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host };
        return $"http://{host}:{context.Get("KEYWAY_PORT") ?? "9233"}";
    }
}
