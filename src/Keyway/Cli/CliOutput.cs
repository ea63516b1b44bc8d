using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli;

/// <summary>Tables for people, indented JSON for scripts (<c>--json</c>); both go through the command's <see cref="CliContext"/>.</summary>
public static class CliOutput
{
    public static void WriteJson(CliContext context, JsonNode? node) => context.Out.WriteLine(IndentedJson(node));

    /// <summary>Indented JSON with non-ASCII text kept readable (the document is for people and config files, not HTML).</summary>
    public static string IndentedJson(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One row per item of <paramref name="rows"/>, one column per field name (nested fields as "a.b").</summary>
    public static void WriteTable(CliContext context, IEnumerable<JsonNode?> rows, params string[] fields)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var field in fields)
        {
            table.AddColumn(new TableColumn(Markup.Escape(field)));
        }
        var count = 0;
        foreach (var row in rows)
        {
            table.AddRow(fields.Select(field => new Text(Cell(Field(row, field)))).ToArray<Spectre.Console.Rendering.IRenderable>());
            count++;
        }
        if (count == 0)
        {
            context.Out.WriteLine("(none)");
            return;
        }
        context.Console.Write(table);
    }

    /// <summary>A two-column table of one object's fields, in the answer's order.</summary>
    public static void WriteFields(CliContext context, JsonObject item)
    {
        var table = new Table().Border(TableBorder.Simple).HideHeaders().AddColumn("field").AddColumn("value");
        foreach (var (name, value) in item)
        {
            table.AddRow(new Text(name), new Text(Cell(value)));
        }
        context.Console.Write(table);
    }

    public static JsonNode? Field(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject item ? item[part] : null;
        }
        return node;
    }

    /// <summary>How one JSON value reads in a table cell: lists joined, objects as "k=v", null as "-".</summary>
    public static string Cell(JsonNode? value) => value switch
    {
        null => "-",
        JsonArray list => string.Join(", ", list.Select(item => item is JsonObject o ? ListItem(o) : Cell(item))),
        JsonObject item => string.Join(", ", item.Select(pair => $"{pair.Key}={Cell(pair.Value)}")),
        JsonValue scalar when scalar.TryGetValue<bool>(out var flag) => flag ? "yes" : "no",
        JsonValue scalar when scalar.TryGetValue<double>(out var number) => number.ToString("0.##", CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>An object in a listed cell by its name; a route's fallback as <c>PROVIDER:MODEL</c>, as <c>--fallback</c>
    /// takes it, marked "(off)" when it is switched off.</summary>
    private static string ListItem(JsonObject item)
    {
        if (item["name"] is null && item["provider_id"] is { } providerId && item["upstream_model"] is { } model)
        {
            return $"{providerId}:{model}{(item["enabled"]?.GetValue<bool>() == false ? " (off)" : "")}";
        }
        return (item["name"] ?? item["alias"] ?? item["provider_id"])?.ToString() ?? item.ToJsonString();
    }
}
