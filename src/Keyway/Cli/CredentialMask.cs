using System.Text;
using System.Text.RegularExpressions;

namespace Keyway.Cli;

/// <summary>
/// The credentials in a configured address, masked for <c>keyway config show</c>: a URL's user:password@ (or a lone
/// token@) and any query parameter whose name holds "password" (sslpassword=); in an Npgsql connection string every value
/// whose key holds "password" (Password, SSL Password) or is Pwd, quoted values whole (<c>Password="a;b"</c>).
/// </summary>
internal static class CredentialMask
{
    private const string Mask = "****";

    /// <summary>KEYWAY_DATABASE_URL in either form it may take (postgres://… or key=value pairs).</summary>
    public static string DatabaseUrl(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? Url(value)
            : ConnectionString(value);

    public static string Url(string url)
    {
        var withoutPassword = Regex.Replace(url, "^([a-z][a-z0-9+.-]*://[^:/@]*:)[^/@]*@", "$1" + Mask + "@", RegexOptions.IgnoreCase);
        var withoutToken = Regex.Replace(withoutPassword, "^([a-z][a-z0-9+.-]*://)[^:/@]+@", "$1" + Mask + "@", RegexOptions.IgnoreCase);
        return Regex.Replace(withoutToken, "([?&][^=&#]*password[^=&#]*=)[^&#]*", "$1" + Mask, RegexOptions.IgnoreCase);
    }

    /// <summary>Key=value pairs as ADO.NET reads them: a value quoted with " or ' runs to its closing quote (doubled inside), ';' included.</summary>
    private static string ConnectionString(string value)
    {
        var masked = new StringBuilder(value.Length);
        var at = 0;
        while (at < value.Length)
        {
            var equals = value.IndexOf('=', at);
            if (equals < 0)
            {
                masked.Append(value, at, value.Length - at);
                break;
            }
            var end = ValueEnd(value, equals + 1);
            masked.Append(value, at, equals + 1 - at);
            if (IsPassword(value.AsSpan(at, equals - at).Trim().TrimStart(';').Trim()))
            {
                masked.Append(Mask);
            }
            else
            {
                masked.Append(value, equals + 1, end - equals - 1);
            }
            at = end;
        }
        return masked.ToString();
    }

    /// <summary>Where the value starting at <paramref name="start"/> ends: at the ';' after it, or the end of the text.</summary>
    private static int ValueEnd(string value, int start)
    {
        var at = start;
        while (at < value.Length && char.IsWhiteSpace(value[at]))
        {
            at++;
        }
        if (at < value.Length && value[at] is '"' or '\'')
        {
            var quote = value[at++];
            while (at < value.Length)
            {
                if (value[at] == quote && (at + 1 >= value.Length || value[at + 1] != quote))
                {
                    at++;
                    break;
                }
                at += value[at] == quote ? 2 : 1;
            }
        }
        var separator = value.IndexOf(';', at);
        return separator < 0 ? value.Length : separator;
    }

    private static bool IsPassword(ReadOnlySpan<char> key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase);
}
