using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Says what is wrong with a body the serializer refused, in the client's terms: the field (<c>messages[0].content</c>)
/// and the JSON kind it must hold (<c>expected an array, not a string</c>). The serializer's own messages name .NET
/// types and reader tokens, and lose the path inside a list read by <see cref="NoNullItemsConverter{T}"/>; so, only
/// once a parse has failed, the body is walked again beside the DTOs' source-generated metadata to find the first
/// value that does not fit.
/// </summary>
internal static class JsonShapeProblem
{
    private enum Kind
    {
        Any,
        String,
        Integer,
        LongInteger,
        Number,
        Boolean,
        Array,
        Object,
        Blocks,
    }

    /// <summary>
    /// The first value of <paramref name="json"/> that does not fit <paramref name="typeInfo"/>, with its path; when none
    /// is found, the reason <paramref name="failure"/> gives, cleared of .NET type names.
    /// </summary>
    public static string Describe(ReadOnlySpan<byte> json, JsonTypeInfo typeInfo, JsonException failure)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            if (Find(ref reader, typeInfo.Type, null, typeInfo.Options, "") is { } problem)
            {
                return problem;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            // Not well-formed after all: the gateway's scan refuses such bodies first, so the serializer's failure stands.
        }
        return Fallback(failure);
    }

    private static string? Find(ref Utf8JsonReader reader, Type type, JsonConverter? custom, JsonSerializerOptions options, string path)
    {
        options.TryGetTypeInfo(type, out var info);
        var kind = KindOf(type, info, custom);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Mismatch(ref reader, kind, path) : null;
        }
        if (!Fits(ref reader, kind))
        {
            return Mismatch(ref reader, kind, path);
        }
        return reader.TokenType switch
        {
            JsonTokenType.StartObject when kind == Kind.Object && info is not null => FindInObject(ref reader, info, path),
            JsonTokenType.StartArray when kind is Kind.Array or Kind.Blocks && ItemType(type, info) is { } item =>
                FindInArray(ref reader, item, options, noNulls: custom is not null, path),
            _ => SkipValue(ref reader),
        };
    }

    /// <summary>A list's item type; a list read by a converter of Keyway's own may have no metadata of its own.</summary>
    private static Type? ItemType(Type listType, JsonTypeInfo? info) =>
        info?.ElementType ?? (listType.IsGenericType ? listType.GetGenericArguments()[0] : null);

    private static string? FindInObject(ref Utf8JsonReader reader, JsonTypeInfo info, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var property = info.Properties.FirstOrDefault(candidate => candidate.Name == name);
            if (property is null)
            {
                reader.Skip();
                continue;
            }
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (!seen.Add(name))
            {
                return $"Duplicate property '{name}'{(path.Length == 0 ? "" : $" in {path}")}.";
            }
            if (Find(ref reader, property.PropertyType, property.CustomConverter, info.Options, at) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? FindInArray(ref Utf8JsonReader reader, Type item, JsonSerializerOptions options, bool noNulls, string path)
    {
        for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            var at = $"{path}[{index}]";
            if (reader.TokenType == JsonTokenType.Null && noNulls)
            {
                return $"{at}: {NoNullItemsConverter<object>.NullItem}";
            }
            if (Find(ref reader, item, null, options, at) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static Kind KindOf(Type declared, JsonTypeInfo? info, JsonConverter? custom)
    {
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        return custom switch
        {
            AnthropicBlocksConverter => Kind.Blocks,
            StrictJsonNodeConverter => Kind.Any,
            not null when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) => Kind.Array,
            _ when type == typeof(string) || type == typeof(RawJsonString) => Kind.String,
            _ when type == typeof(int) => Kind.Integer,
            _ when type == typeof(long) => Kind.LongInteger,
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => Kind.Number,
            _ when type == typeof(bool) => Kind.Boolean,
            _ when type == typeof(JsonNode) || type == typeof(RawJsonValue) || type == typeof(JsonElement) => Kind.Any,
            _ => info?.Kind switch
            {
                JsonTypeInfoKind.Enumerable => Kind.Array,
                JsonTypeInfoKind.Object => Kind.Object,
                _ => Kind.Any,
            },
        };
    }

    private static bool Fits(ref Utf8JsonReader reader, Kind kind) => kind switch
    {
        Kind.String => reader.TokenType == JsonTokenType.String,
        Kind.Integer => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out _),
        Kind.LongInteger => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out _),
        Kind.Number => reader.TokenType == JsonTokenType.Number,
        Kind.Boolean => reader.TokenType is JsonTokenType.True or JsonTokenType.False,
        Kind.Array => reader.TokenType == JsonTokenType.StartArray,
        Kind.Object => reader.TokenType == JsonTokenType.StartObject,
        Kind.Blocks => reader.TokenType is JsonTokenType.String or JsonTokenType.StartArray,
        _ => true,
    };

    private static string Mismatch(ref Utf8JsonReader reader, Kind kind, string path)
    {
        var expected = kind switch
        {
            Kind.String => "a string",
            Kind.Integer or Kind.LongInteger => "an integer",
            Kind.Number => "a number",
            Kind.Boolean => "true or false",
            Kind.Array => "an array",
            Kind.Object => "an object",
            Kind.Blocks => "a string or an array of content blocks",
            _ => "a JSON value",
        };
        var found = reader.TokenType switch
        {
            JsonTokenType.String => "a string",
            JsonTokenType.Number when kind is Kind.Integer or Kind.LongInteger => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.Number => "a number",
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.StartObject => "an object",
            _ => "null",
        };
        return $"{(path.Length == 0 ? "the body" : path)}: expected {expected}, not {found}.";
    }

    /// <summary>The serializer's own reason when it names no .NET type, after the field it names.</summary>
    private static string Fallback(JsonException failure)
    {
        var reason = failure.Message;
        var cut = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        reason = cut < 0 ? reason : reason[..cut];
        cut = reason.IndexOf(" of type '", StringComparison.Ordinal);
        reason = cut < 0 ? reason : reason[..cut] + ".";
        if (reason.Contains("System.", StringComparison.Ordinal) || reason.Contains("Keyway.", StringComparison.Ordinal)
            || reason.Contains("could not be converted", StringComparison.Ordinal))
        {
            reason = "the value does not fit there.";
        }
        return failure.Path is { Length: > 1 } path ? $"{path.TrimStart('$').TrimStart('.')}: {reason}" : reason;
    }
}
