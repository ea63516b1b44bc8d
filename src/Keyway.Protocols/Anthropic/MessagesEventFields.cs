using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// The few fields of a Messages stream event the observer needs, read in one forward pass whatever the key order:
/// <c>type</c>, <c>message.usage</c> (message_start), <c>usage</c> and <c>delta.stop_reason</c> (message_delta),
/// <c>error.type</c> (error).
/// </summary>
internal readonly record struct MessagesEventFields(
    string? Type,
    TokenUsage? MessageUsage,
    TokenUsage? Usage,
    string? StopReason,
    string? ErrorType)
{
    /// <summary>Throws <see cref="JsonException"/> on malformed JSON; the caller swallows it.</summary>
    public static MessagesEventFields Read(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        string? type = null, stopReason = null, errorType = null;
        TokenUsage? messageUsage = null, usage = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonReading.ReadStringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                messageUsage = ReadMember(ref reader, "usage"u8, ReadUsageAfterName);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                usage = JsonReading.ReadStartObject(ref reader) ? UsageJson.ReadAnthropic(ref reader) : null;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                stopReason = ReadMember(ref reader, "stop_reason"u8, ReadStringAfterName);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                errorType = ReadMember(ref reader, "type"u8, ReadStringAfterName);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new MessagesEventFields(type, messageUsage, usage, stopReason, errorType);
    }

    private delegate T? MemberReader<T>(ref Utf8JsonReader reader) where T : class;

    private static string? ReadStringAfterName(ref Utf8JsonReader reader) => JsonReading.ReadStringOrNull(ref reader);

    private static TokenUsage? ReadUsageAfterName(ref Utf8JsonReader reader) =>
        JsonReading.ReadStartObject(ref reader) ? UsageJson.ReadAnthropic(ref reader) : null;

    /// <summary>Reads one named member of the object value that follows a property name; null if absent or not an object.</summary>
    private static T? ReadMember<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> member, MemberReader<T> read)
        where T : class
    {
        if (!JsonReading.ReadStartObject(ref reader))
        {
            return null;
        }

        T? value = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(member))
            {
                value = read(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return value;
    }
}
