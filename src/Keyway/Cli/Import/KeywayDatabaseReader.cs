using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Keyway.Cli.Import;

/// <summary>
/// Reads a Python Keyway SQLite database (opened read-only) into a declarative document. Its tables are recognised by
/// their columns, which are the admin API's field names: groups (group_id, name), providers (provider_id, base_url),
/// routes (alias, upstream_model), route fallbacks (rp_id), issued keys (key_prefix) and tool providers (tool_id).
/// Every Fernet token found in a row is opened with the database's KEYWAY_SECRET.
/// </summary>
public static class KeywayDatabaseReader
{
    /// <exception cref="CliException">Exit code 2 when the file is no SQLite database (or a damaged one).</exception>
    public static (JsonObject Document, List<string> Skipped) Read(string path, Fernet fernet)
    {
        try
        {
            return ReadDatabase(path, fernet);
        }
        catch (SqliteException e)
        {
            throw new CliException($"{path} cannot be read as a Keyway SQLite database: {e.Message}", CliExitCodes.Usage);
        }
    }

    private static (JsonObject Document, List<string> Skipped) ReadDatabase(string path, Fernet fernet)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = Tables(connection);
        List<JsonObject> Rows(params string[] required) =>
            tables.Where(t => required.All(t.Columns.Contains)).SelectMany(t => ReadRows(connection, t.Name, fernet)).ToList();

        var skipped = new List<string>();
        var providers = Rows("provider_id", "base_url");
        var fallbacks = Rows("rp_id", "route_id", "provider_id");
        var routes = Rows("alias", "upstream_model", "group_id");
        var keys = Rows("key_prefix", "group_id");
        var tools = Rows("tool_id", "group_id");
        var groups = new JsonArray();
        foreach (var group in Rows("group_id", "name").Where(g => !g.ContainsKey("provider_id") && !g.ContainsKey("alias") && !g.ContainsKey("key_prefix") && !g.ContainsKey("tool_id")))
        {
            var groupId = group["group_id"]!.ToString();
            bool InGroup(JsonObject row) => row["group_id"]?.ToString() == groupId;
            groups.Add((JsonNode)new JsonObject
            {
                ["group_id"] = groupId,
                ["name"] = group["name"]?.DeepClone(),
                ["enabled"] = group["enabled"]?.DeepClone(),
                ["note"] = group["note"]?.DeepClone(),
                ["providers"] = new JsonArray([.. providers.Where(InGroup).Select(Provider)]),
                ["tool_providers"] = new JsonArray([.. tools.Where(InGroup).Select(t => (JsonNode)Pick(t, "tool_id", "name", "kind", "config", "enabled", "api_key"))]),
                ["routes"] = new JsonArray([.. routes.Where(InGroup).Select(r => Route(r, fallbacks))]),
                ["keys"] = new JsonArray([.. keys.Where(InGroup).Select(IssuedKey)]),
            });
            skipped.AddRange(keys.Where(InGroup).Where(k => Plaintext(k) is null)
                .Select(k => $"key {groupId}/{k["name"]}: its plaintext could not be read, issued again with a new db_sk_ plaintext"));
        }
        return (new JsonObject { ["groups"] = groups }, skipped);
    }

    private static JsonNode Provider(JsonObject row)
    {
        var provider = Pick(row, "provider_id", "name", "base_url", "protocol", "enabled", "note", "timeout_seconds");
        provider["api_keys"] = new JsonArray(new JsonObject { ["name"] = "default", ["api_key"] = row["api_key"]?.DeepClone() });
        return provider;
    }

    /// <summary>An issued key with its plaintext (a Fernet token opened above) when the row has one, so clients keep their key.</summary>
    private static JsonNode IssuedKey(JsonObject row)
    {
        var key = Pick(row, "name", "owner_user_id", "enabled");
        if (Plaintext(row) is { } plaintext)
        {
            key["plaintext"] = plaintext;
        }
        return key;
    }

    private static string? Plaintext(JsonObject row) =>
        row.Where(p => p.Key != "key_prefix").Select(p => p.Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : null)
            .FirstOrDefault(value => value is not null && Security.IssuedKeys.IsAcceptable(value));

    private static JsonNode Route(JsonObject row, List<JsonObject> fallbacks)
    {
        var route = Pick(row, "alias", "provider_id", "upstream_model", "upstream_path", "enabled", "note");
        var mine = fallbacks.Where(f => f["route_id"]?.ToString() == row["route_id"]?.ToString()).OrderBy(f => f["priority"]?.GetValue<long>() ?? 0).ToList();
        if (mine.Count > 0)
        {
            route["fallbacks"] = new JsonArray([.. mine.Select(f => (JsonNode)Pick(f, "provider_id", "upstream_model"))]);
        }
        return route;
    }

    private static JsonObject Pick(JsonObject row, params string[] fields) =>
        new(fields.Where(row.ContainsKey).Select(f => KeyValuePair.Create(f, row[f]?.DeepClone())));

    private static List<(string Name, HashSet<string> Columns)> Tables(SqliteConnection connection)
    {
        var names = new List<string>();
        using (var command = new SqliteCommand("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", connection))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }
        return names.Select(name => (name, ReadRows(connection, name, null, columnsOnly: true).SelectMany(r => r.Select(p => p.Key)).ToHashSet())).ToList();
    }

    private static List<JsonObject> ReadRows(SqliteConnection connection, string table, Fernet? fernet, bool columnsOnly = false)
    {
        var rows = new List<JsonObject>();
        using var command = new SqliteCommand(columnsOnly ? $"SELECT * FROM pragma_table_info('{table.Replace("'", "''")}')" : $"SELECT * FROM \"{table.Replace("\"", "\"\"")}\"", connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (columnsOnly)
            {
                rows.Add(new JsonObject { [reader.GetString(reader.GetOrdinal("name"))] = null });
                continue;
            }
            var row = new JsonObject();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = Value(reader.GetName(i), reader.GetValue(i), fernet);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>SQLite values as JSON: enabled flags (stored 0/1) as booleans, Fernet tokens opened.</summary>
    private static JsonNode? Value(string column, object value, Fernet? fernet) => value switch
    {
        DBNull => null,
        long flag when column == "enabled" => JsonValue.Create(flag != 0),
        long number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        string text when fernet is not null && Fernet.LooksLikeToken(text) => JsonValue.Create(fernet.Decrypt(text)),
        string text => JsonValue.Create(text),
        _ => JsonValue.Create(value.ToString()),
    };
}
