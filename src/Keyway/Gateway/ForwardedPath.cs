using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// A request path as Keyway forwards it below the upstream's base URL: <c>Request.Path</c>, which Kestrel decodes except
/// for %2F. A path an upstream may read as another one is ambiguous, and allowed_paths could not judge it:
/// <c>/v1/images/x%2F..%2F..%2Fchat%2Fcompletions</c> matches <c>/v1/images/*</c> here and is /v1/chat/completions to an
/// upstream that decodes %2F. So are an encoded '/' or '\' (%2F, %5C; Kestrel hands a decoded '\', which .NET's
/// <see cref="Uri"/> turns into '/'), a '?' or '#' decoded from %3F or %23 (the upstream URI's path would end there), and a
/// '.' or '..' segment, raw or written with %2E, which the upstream resolves.
/// </summary>
internal static class ForwardedPath
{
    /// <summary>The characters any ambiguity needs: a path without them (every surface's own) is judged by one vectorized search.</summary>
    private static readonly SearchValues<char> Suspect = SearchValues.Create("\\?#%.");

    public static bool IsAmbiguous(string path)
    {
        var span = path.AsSpan();
        if (span.IndexOfAny(Suspect) < 0)
        {
            return false;
        }
        if (span.IndexOfAny('\\', '?', '#') >= 0
            || span.Contains("%2F", StringComparison.OrdinalIgnoreCase) || span.Contains("%5C", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var segment in span.Split('/'))
        {
            if (IsDotSegment(span[segment]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>"." or "..", each dot raw or as %2E in any case.</summary>
    private static bool IsDotSegment(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        while (!segment.IsEmpty && dots <= 2)
        {
            if (segment[0] == '.')
            {
                segment = segment[1..];
            }
            else if (segment.StartsWith("%2E", StringComparison.OrdinalIgnoreCase))
            {
                segment = segment[3..];
            }
            else
            {
                return false;
            }
            dots++;
        }
        return segment.IsEmpty && dots is 1 or 2;
    }
}
