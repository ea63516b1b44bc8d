namespace Keyway.Cli.Connect;

/// <summary>
/// Follows TOML's multi-line strings (<c>"""…"""</c> basic, <c>'''…'''</c> literal) from line to line, so that a line
/// of such a string's text, <c>[not a table]</c> say, is never taken for a table header or a key.
/// </summary>
public static class TomlMultilineString
{
    private const string Basic = "\"\"\"";
    private const string Literal = "'''";

    /// <summary>
    /// The delimiter of the multi-line string still open at the end of <paramref name="line"/>, given the one open at its
    /// start; null when none is. Single-line strings and comments are stepped over, so a <c>"""</c> inside them opens nothing.
    /// </summary>
    public static string? OpenAfter(string line, string? openAtStart)
    {
        var open = openAtStart;
        var i = 0;
        while (i < line.Length || open is not null)
        {
            if (open is not null)
            {
                var end = ClosingDelimiter(line, i, open);
                if (end < 0)
                {
                    // Only a multi-line string goes on to the next line; a single-line one left open is not TOML.
                    return open.Length == Basic.Length ? open : null;
                }
                open = null;
                i = end;
            }
            else if (line[i] == '#')
            {
                return null;
            }
            else if (line[i] is '"' or '\'')
            {
                open = OpeningDelimiter(line, i);
                i += open.Length;
            }
            else
            {
                i++;
            }
        }
        return null;
    }

    private static string OpeningDelimiter(string line, int start) =>
        line.AsSpan(start).StartsWith(Basic) ? Basic
        : line.AsSpan(start).StartsWith(Literal) ? Literal
        : line[start].ToString();

    /// <summary>
    /// The index after the delimiter that closes a string of <paramref name="delimiter"/> at or after
    /// <paramref name="start"/>, or -1. A backslash escapes the next character in a basic string, and up to two quotes
    /// right before a multi-line string's closing three are its own (<c>"""a""""</c> ends in <c>a"</c>).
    /// </summary>
    private static int ClosingDelimiter(string line, int start, string delimiter)
    {
        for (var i = start; i < line.Length; i++)
        {
            if (delimiter[0] == '"' && line[i] == '\\')
            {
                i++;
            }
            else if (line.AsSpan(i).StartsWith(delimiter))
            {
                var end = i + delimiter.Length;
                while (delimiter.Length == Basic.Length && end < line.Length && line[end] == delimiter[0] && end - i < Basic.Length + 2)
                {
                    end++;
                }
                return end;
            }
        }
        return -1;
    }
}
