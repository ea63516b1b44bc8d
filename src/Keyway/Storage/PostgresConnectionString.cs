using Npgsql;

namespace Keyway.Storage;

/// <summary>KEYWAY_DATABASE_URL in either form: <c>postgres://user:pass@host:5432/db?sslmode=require</c> or Npgsql's key=value.</summary>
public static class PostgresConnectionString
{
    /// <exception cref="ArgumentException">Neither a postgres:// URL nor a valid Npgsql connection string.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            return builder.Host is null ? throw new ArgumentException("it names no Host") : builder;
        }
        var uri = new Uri(value);
        var userInfo = uri.UserInfo.Split(':', 2);
        var url = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } database ? database : null,
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            url[Uri.UnescapeDataString(parts[0])] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        return url;
    }

    /// <summary>Host, port and database, without the password: for the start-up banner and CLI reports.</summary>
    public static string Describe(string value)
    {
        var builder = Parse(value);
        return $"postgresql {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }
}
