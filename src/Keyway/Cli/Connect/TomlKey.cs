namespace Keyway.Cli.Connect;

/// <summary>
/// Reads the key of one TOML line (a table header's or a key/value pair's) the ways TOML lets it be written: bare or
/// quoted parts, dots with spaces around them, a comment after it. Enough to tell which table a line of config.toml
/// defines without a TOML library in the binary; values are never read.
/// </summary>
public static class TomlKey
{
    /// <summary>
    /// The key parts of a table header (<c>[ a . "b" ] # c</c> is a, b), an array-of-tables header's too; null when the
    /// line is no header.
    /// </summary>
    public static string[]? Header(string line)
    {
        var text = WithoutComment(line).Trim();
        return text.StartsWith("[[", StringComparison.Ordinal) && text.EndsWith("]]", StringComparison.Ordinal) ? Parts(text[2..^2])
            : text.StartsWith('[') && text.EndsWith(']') ? Parts(text[1..^1])
            : null;
    }

    /// <summary>The key parts of a key/value line (<c>a."b" = 1</c> is a, b); null when the line is no key/value pair.</summary>
    public static string[]? OfPair(string line)
    {
        var equals = IndexOutsideQuotes(line, '=');
        return equals < 0 ? null : Parts(line[..equals]);
    }

    /// <summary>The parts of a dotted key, unquoted; null when <paramref name="key"/> is not a key.</summary>
    private static string[]? Parts(string key)
    {
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            i = SkipSpaces(key, i);
            var start = i;
            if (i < key.Length && key[i] is '"' or '\'')
            {
                var quote = key[i];
                i = key.IndexOf(quote, i + 1);
                if (i < 0)
                {
                    return null;
                }
                parts.Add(key[(start + 1)..i]);
                i++;
            }
            else
            {
                while (i < key.Length && (char.IsAsciiLetterOrDigit(key[i]) || key[i] is '_' or '-'))
                {
                    i++;
                }
                if (i == start)
                {
                    return null;
                }
                parts.Add(key[start..i]);
            }
            i = SkipSpaces(key, i);
            if (i == key.Length)
            {
                return [.. parts];
            }
            if (key[i] != '.')
            {
                return null;
            }
            i++;
        }
    }

    private static string WithoutComment(string line)
    {
        var hash = IndexOutsideQuotes(line, '#');
        return hash < 0 ? line : line[..hash];
    }

    /// <summary>The first <paramref name="wanted"/> that is not inside a quoted string, or -1.</summary>
    private static int IndexOutsideQuotes(string line, char wanted)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null && c == wanted)
            {
                return i;
            }
            if (quote == '"' && c == '\\')
            {
                i++;
            }
            else if (c is '"' or '\'' && (quote is null || quote == c))
            {
                quote = quote is null ? c : null;
            }
        }
        return -1;
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }
        return i;
    }
}
