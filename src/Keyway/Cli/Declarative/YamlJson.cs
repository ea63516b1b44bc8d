using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keyway.Cli.Declarative;

/// <summary>
/// YAML ⇄ JSON trees, so the declarative file is handled with the same JsonNode documents the admin API speaks. Plain
/// scalars true/false, null/~ and numbers become JSON booleans, null and numbers; quoted scalars stay strings.
/// </summary>
public static class YamlJson
{
    public static JsonNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new CliException($"not valid YAML: {e.Message}", CliExitCodes.Usage);
        }
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
    }

    public static string Write(JsonNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(ToYaml(node))).Save(writer, assignAnchors: false);
        // YamlStream ends every document with "...", which a hand-edited config file does not need.
        return writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair => KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new CliException($"unsupported YAML node at {node.Start}", CliExitCodes.Usage),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }
        return text switch
        {
            "" or "~" or "null" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
            _ when IsDecimal(text) => JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(text),
        };
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject item => new YamlMappingNode(item.Select(pair => KeyValuePair.Create<YamlNode, YamlNode>(new YamlScalarNode(pair.Key), ToYaml(pair.Value)))),
        JsonArray list => new YamlSequenceNode(list.Select(ToYaml)),
        null => new YamlScalarNode("null"),
        JsonValue value when value.TryGetValue<string>(out var text) => new YamlScalarNode(text) { Style = NeedsQuotes(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any },
        _ => new YamlScalarNode(node.ToJsonString()),
    };

    /// <summary>Strings that would read back as another type (or as nothing) are quoted.</summary>
    private static bool NeedsQuotes(string text) =>
        text is "" or "~" or "null" or "true" or "false" || long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) || IsDecimal(text);

    /// <summary>A plain decimal such as 0.2 or -1.5e3 (a route's default_temperature); not NaN, Infinity or a version like 1.2.3.</summary>
    private static bool IsDecimal(string text) =>
        text.Any(char.IsAsciiDigit) && text.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E')
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
