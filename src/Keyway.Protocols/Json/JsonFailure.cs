using System.Text.Json;

namespace Keyway.Protocols.Json;

/// <summary>The exceptions <see cref="Utf8JsonReader"/> raises for malformed JSON or invalid UTF-8, which callers swallow.</summary>
internal static class JsonFailure
{
    public static bool IsMalformedInput(Exception ex) => ex is JsonException or InvalidOperationException;
}
