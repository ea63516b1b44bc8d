namespace Keyway.Gateway;

/// <summary>
/// Request-path globs of a route's allowed_paths: <c>*</c> matches any characters within one path segment, <c>**</c> any
/// characters across segments, every other character itself (case-sensitive, as paths are).
/// </summary>
public static class PathGlob
{
    public static bool Matches(string pattern, string path) => Matches(pattern.AsSpan(), path.AsSpan());

    /// <summary>A request's path as the globs are written, with its /v1 prefix: every surface is served without it too.</summary>
    public static string Versioned(PathString requestPath)
    {
        var path = requestPath.Value ?? "";
        return path.StartsWith("/v1/", StringComparison.Ordinal) ? path : "/v1" + path;
    }

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> path)
    {
        while (pattern.Length > 0)
        {
            if (pattern[0] == '*')
            {
                var acrossSegments = pattern.Length > 1 && pattern[1] == '*';
                var rest = pattern[(acrossSegments ? 2 : 1)..];
                for (var taken = 0; taken <= path.Length; taken++)
                {
                    if (Matches(rest, path[taken..]))
                    {
                        return true;
                    }
                    if (taken < path.Length && path[taken] == '/' && !acrossSegments)
                    {
                        return false;
                    }
                }
                return false;
            }
            if (path.Length == 0 || pattern[0] != path[0])
            {
                return false;
            }
            pattern = pattern[1..];
            path = path[1..];
        }
        return path.Length == 0;
    }
}
