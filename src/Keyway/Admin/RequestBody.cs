using System.Globalization;
using System.Text.Json;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// The JSON object sent to an admin endpoint. It tells an absent field from an explicit null, so PATCH changes
/// only what the body names; every accessor throws a 400 <see cref="AdminProblem"/> naming the field.
/// </summary>
public sealed class RequestBody
{
    private readonly JsonElement _root;

    private RequestBody(JsonElement root) => _root = root;

    public static async Task<RequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            throw AdminProblem.BadRequest("Invalid JSON body");
        }
        using (document)
        {
            return From(document);
        }
    }

    /// <summary>A body in hand rather than in a request: what <c>keyway apply --dry-run</c> would send.</summary>
    public static RequestBody Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return From(document);
    }

    private static RequestBody From(JsonDocument document) =>
        document.RootElement.ValueKind == JsonValueKind.Object
            ? new RequestBody(document.RootElement.Clone())
            : throw AdminProblem.BadRequest("Body must be a JSON object");

    /// <summary>True when the field is present, even as null.</summary>
    public bool Has(string field) => _root.TryGetProperty(field, out _);

    /// <summary>The field's value, or null when it is absent or JSON null.</summary>
    public JsonElement? Element(string field) =>
        _root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string RequiredString(string field, int maxLength) =>
        OptionalString(field, maxLength) is { } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw AdminProblem.BadRequest($"{field} is required", field);

    public string? OptionalString(string field, int maxLength) => Element(field) is { } value ? AsString(value, field, maxLength) : null;

    public bool? OptionalBool(string field) => Element(field) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw AdminProblem.BadRequest($"{field} must be true or false", field),
    };

    /// <summary>The <c>web_search</c> switch of a route or issued key: <c>auto</c> or <c>off</c>.</summary>
    public WebSearchMode? OptionalWebSearch() => Element("web_search") switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value when WebSearchModeNames.TryParse(value.GetString(), out var mode) => mode,
        _ => throw AdminProblem.BadRequest("web_search must be 'auto' or 'off'", "web_search"),
    };

    public int? OptionalInt(string field, int min, int max)
    {
        if (Element(field) is not { } value)
        {
            return null;
        }
        return IsIntegerIn(value, min, max, out var number)
            ? number
            : throw AdminProblem.BadRequest($"{field} must be an integer from {min} to {max}", field);
    }

    /// <summary>Whether <paramref name="value"/> is a JSON integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
    internal static bool IsIntegerIn(JsonElement value, int min, int max, out int number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out number) && number >= min && number <= max;
    }

    public double? OptionalNumber(string field, double min, double max)
    {
        if (Element(field) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw AdminProblem.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"{field} must be a number from {min} to {max}"), field);
        }
        return number;
    }

    public IReadOnlyDictionary<string, string>? OptionalStringMap(string field)
    {
        return Element(field) is { } value ? AsStringMap(value, field, field) : null;
    }

    /// <summary><paramref name="value"/> as an object of strings; <paramref name="label"/> names it in the error, <paramref name="field"/> is the error's field.</summary>
    public static Dictionary<string, string> AsStringMap(JsonElement value, string label, string field)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw AdminProblem.BadRequest($"{label} must be an object of strings", field);
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw AdminProblem.BadRequest($"{label}.{property.Name} must be a string", field);
        }
        return map;
    }

    /// <summary>An ISO-8601 timestamp; false when the field is absent, true with null when it is explicitly null.</summary>
    public bool TryGetTimestamp(string field, out DateTimeOffset? timestamp)
    {
        timestamp = null;
        if (!Has(field))
        {
            return false;
        }
        if (Element(field) is not { } value)
        {
            return true;
        }
        if (value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            throw AdminProblem.BadRequest($"{field} must be an ISO-8601 timestamp", field);
        }
        timestamp = parsed.ToUniversalTime();
        return true;
    }

    internal static string AsString(JsonElement value, string field, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw AdminProblem.BadRequest($"{field} must be a string", field);
        }
        var text = value.GetString()!;
        return text.Length <= maxLength ? text : throw AdminProblem.BadRequest($"{field} must be at most {maxLength} characters", field);
    }
}
