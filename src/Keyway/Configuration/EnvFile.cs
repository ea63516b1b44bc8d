namespace Keyway.Configuration;

/// <summary>
/// Reads a dotenv file: KEY=VALUE lines, '#' comments (whole lines and after a value), optional quotes and "export ".
/// Comments follow python-dotenv (src/dotenv/parser.py, parse_unquoted_value; docker compose's parser has read them
/// differently from one version to the next): in an unquoted value a '#' after whitespace starts a comment (so
/// <c>KEY=  # note</c> is empty) while one right after the '=' or inside a word is the value's (<c>KEY=#abc</c>,
/// <c>KEY=a#b</c>); inside quotes '#' is always the value's.
/// </summary>
public static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }
        foreach (var rawLine in File.ReadAllLines(path))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }
            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }
            values[line[..equals].Trim()] = Value(line[(equals + 1)..]);
        }
        return values;
    }

    /// <summary>
    /// A value as written after the '=': a quoted one is taken as it stands between its quotes, escapes not decoded (a
    /// backslash in double quotes only keeps the next character from ending it, so <c>\"</c> does not), when only
    /// whitespace or a comment follows the closing quote; anything else is unquoted.
    /// </summary>
    private static string Value(string written)
    {
        var value = written.TrimStart();
        var close = value.Length > 0 && value[0] is '"' or '\'' ? ClosingQuote(value) : -1;
        return close > 0 && IsBlankOrComment(value[(close + 1)..]) ? value[1..close] : WithoutComment(written).Trim();
    }

    /// <summary>The index of the quote that closes the one <paramref name="value"/> opens with, or -1.</summary>
    private static int ClosingQuote(string value)
    {
        var quote = value[0];
        for (var i = 1; i < value.Length; i++)
        {
            if (quote == '"' && value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == quote)
            {
                return i;
            }
        }
        return -1;
    }

    private static bool IsBlankOrComment(string rest)
    {
        var text = rest.TrimStart();
        return text.Length == 0 || text[0] == '#';
    }

    /// <summary>An unquoted value up to its first '#' that follows whitespace (the '=' counts as none).</summary>
    private static string WithoutComment(string written)
    {
        for (var i = 1; i < written.Length; i++)
        {
            if (written[i] == '#' && char.IsWhiteSpace(written[i - 1]))
            {
                return written[..i];
            }
        }
        return written;
    }
}
