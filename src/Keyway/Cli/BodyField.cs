using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// A command-line option that maps to one field of an admin request body; <see cref="Body"/> sends only the options the
/// user gave, so `edit` changes just those fields (the admin API's PATCH semantics).
/// </summary>
public sealed record BodyField(Option Option, string JsonName, Func<ParseResult, JsonNode?> Read)
{
    /// <summary>Whether the option was given, for fields whose JSON can be null (a removed limit); otherwise non-null JSON means given.</summary>
    public Func<ParseResult, bool>? Given { get; init; }

    public static BodyField Text(string name, string jsonName, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { } value ? JsonValue.Create(value) : null);
    }

    public static BodyField Flag(string name, string jsonName, string description)
    {
        var option = new Option<bool?>(name) { Description = description };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { } value ? JsonValue.Create(value) : null);
    }

    public static BodyField Number(string name, string jsonName, string description)
    {
        var option = new Option<int?>(name) { Description = description };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { } value ? JsonValue.Create(value) : null);
    }

    /// <summary>
    /// A provider's knob with a global default: a number sets it, "default" returns it to the global default (JSON null,
    /// as the admin API takes it). Any other number is sent on, for the admin API to refuse with its own range.
    /// </summary>
    public static BodyField Knob(string name, string jsonName, string description)
    {
        var option = new Option<string?>(name) { Description = description + "; \"default\" returns it to the global default" };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) switch
        {
            null or "default" => null,
            var text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            var text => throw new CliException($"{name} takes a number or 'default', got '{text}'", CliExitCodes.Usage),
        })
        {
            Given = parse => parse.GetValue(option) is not null,
        };
    }

    /// <summary>
    /// A switch that overrides a rule: true or false sets it, "default" returns it to the rule (JSON null, as the admin
    /// API takes it).
    /// </summary>
    public static BodyField Override(string name, string jsonName, string description)
    {
        var option = new Option<string?>(name) { Description = description + "; \"default\" returns it to the rule" };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) switch
        {
            null or "default" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var text => throw new CliException($"{name} takes true, false or 'default', got '{text}'", CliExitCodes.Usage),
        })
        {
            Given = parse => parse.GetValue(option) is not null,
        };
    }

    /// <summary>A limit: a positive number sets it, 0 removes it (JSON null).</summary>
    public static BodyField Limit(string name, string jsonName, string description)
    {
        var option = new Option<long?>(name) { Description = description + " (0 removes it)" };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { } value and not 0 ? JsonValue.Create(value) : null)
        {
            Given = parse => parse.GetValue(option) is not null,
        };
    }

    /// <summary>A comma-separated list sent as a JSON array of strings; an empty value sends [].</summary>
    public static BodyField List(string name, string jsonName, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { } value
            ? new JsonArray(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item => (JsonNode?)JsonValue.Create(item)).ToArray())
            : null);
    }

    /// <summary>
    /// A map given as repeated KEY=VALUE entries, sent as a JSON object; an entry "" sends {} (the admin API clears the map).
    /// </summary>
    public static BodyField Map(string name, string jsonName, string description)
    {
        var option = new Option<string[]>(name) { Description = description + "; repeat for several, \"\" clears", AllowMultipleArgumentsPerToken = false };
        return new BodyField(option, jsonName, parse => parse.GetValue(option) is { Length: > 0 } entries
            ? new JsonObject(entries.Where(entry => entry.Length > 0).Select(entry => entry.IndexOf('=') is > 0 and var equals
                ? KeyValuePair.Create(entry[..equals], (JsonNode?)JsonValue.Create(entry[(equals + 1)..]))
                : throw new CliException($"{name} takes KEY=VALUE, got '{entry}'", CliExitCodes.Usage)))
            : null);
    }

    /// <summary>The given fields that were set on the command line, as a JSON object (plus <paramref name="start"/>).</summary>
    public static JsonObject Body(ParseResult parse, IEnumerable<BodyField> fields, JsonObject? start = null)
    {
        var body = start ?? [];
        foreach (var field in fields)
        {
            var value = field.Read(parse);
            if (value is not null || field.Given?.Invoke(parse) == true)
            {
                body[field.JsonName] = value;
            }
        }
        return body;
    }
}

public static class BodyFieldCommandExtensions
{
    public static Command WithFields(this Command command, IEnumerable<BodyField> fields)
    {
        foreach (var field in fields)
        {
            command.Add(field.Option);
        }
        return command;
    }
}
