using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A JSON string kept as the client wrote it (UTF-8, its escapes as they were) and written back the same. Texts the
/// translators only pass on are held this way: tool descriptions, message and system texts, thinking. Claude Code
/// sends its whole context every turn (a long system prompt, sixteen-odd tools described in kilobytes each, the whole
/// history): decoding each text into a UTF-16 string to encode it again was twice its size in garbage and two passes
/// for nothing. The bytes are valid JSON string content: the reader checked them, and the body was checked as UTF-8
/// before it was read. Read from a body being parsed (<see cref="TranslationJson.Parse"/>), the bytes are a slice of
/// it, not a copy. Because JSON string content is a sequence of escaped characters, texts join by joining their bytes
/// (<see cref="RawTextJoiner"/>).
/// </summary>
[JsonConverter(typeof(RawJsonStringConverter))]
internal sealed class RawJsonString(ReadOnlyMemory<byte> quoted)
{
    public static RawJsonString Empty { get; } = new("\"\""u8.ToArray());

    /// <summary>The string token, quotes included.</summary>
    public ReadOnlySpan<byte> Quoted => quoted.Span;

    /// <summary>The escaped text between the quotes.</summary>
    public ReadOnlySpan<byte> Content => quoted.Span[1..^1];

    /// <summary>True for <c>""</c>: any other content holds at least one character.</summary>
    public bool IsEmpty => quoted.Length == 2;

    /// <summary>A text as the translators' writer would escape it.</summary>
    public static RawJsonString Of(string text)
    {
        if (text.Length == 0)
        {
            return Empty;
        }

        var escaped = JsonEncodedText.Encode(text, TranslationJson.WriterOptions.Encoder).EncodedUtf8Bytes;
        var bytes = Quotes(escaped.Length);
        escaped.CopyTo(bytes.AsSpan(1));
        return new RawJsonString(bytes);
    }

    /// <summary>The text itself, unescaped, for the few places that need it as a string.</summary>
    public string Decode()
    {
        var reader = new Utf8JsonReader(quoted.Span);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>The same bytes as a JSON value of any kind.</summary>
    public RawJsonValue AsValue() => new(quoted);

    /// <summary>The current string token of a reader, verbatim; anything else is refused.</summary>
    public static RawJsonString Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected a string.");
        }
        if (!reader.HasValueSequence && TranslationJson.OffsetInParsedBody(reader.ValueSpan) is { } offset)
        {
            return new RawJsonString(TranslationJson.ParsedBody(offset - 1, reader.ValueSpan.Length + 2));
        }
        var bytes = Quotes(reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length);
        if (reader.HasValueSequence)
        {
            reader.ValueSequence.CopyTo(bytes.AsSpan(1));
        }
        else
        {
            reader.ValueSpan.CopyTo(bytes.AsSpan(1));
        }
        return new RawJsonString(bytes);
    }

    /// <summary>An array for a string token of that content length, its quotes in place.</summary>
    private static byte[] Quotes(int contentLength)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(contentLength + 2);
        bytes[0] = bytes[^1] = (byte)'"';
        return bytes;
    }
}

internal sealed class RawJsonStringConverter : JsonConverter<RawJsonString>
{
    public override RawJsonString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        RawJsonString.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, RawJsonString value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Quoted, skipInputValidation: true);
}

/// <summary>
/// Non-empty texts joined by a separator, without decoding them: the joined content is the contents and the escaped
/// separators one after the other. A single text is kept as it is, without a copy; the join is one array.
/// </summary>
internal struct RawTextJoiner(RawJsonString separator)
{
    public static RawJsonString NewLine { get; } = RawJsonString.Of("\n");

    public static RawJsonString BlankLine { get; } = RawJsonString.Of("\n\n");

    public static RawJsonString Nothing => RawJsonString.Empty;

    private RawJsonString? _first;
    private List<RawJsonString>? _rest;

    public void Add(RawJsonString? text)
    {
        if (text is null || text.IsEmpty)
        {
            return;
        }

        if (_first is null)
        {
            _first = text;
        }
        else
        {
            (_rest ??= []).Add(text);
        }
    }

    public readonly bool IsEmpty => _first is null;

    /// <summary>The joined text; <see cref="RawJsonString.Empty"/> when nothing was added.</summary>
    public readonly RawJsonString Join()
    {
        if (_first is null)
        {
            return RawJsonString.Empty;
        }
        if (_rest is null)
        {
            return _first;
        }

        var length = _first.Quoted.Length;
        foreach (var text in _rest)
        {
            length += separator.Content.Length + text.Content.Length;
        }

        var bytes = GC.AllocateUninitializedArray<byte>(length);
        var rest = bytes.AsSpan();
        Append(ref rest, _first.Quoted[..^1]);
        foreach (var text in _rest)
        {
            Append(ref rest, separator.Content);
            Append(ref rest, text.Content);
        }
        rest[0] = (byte)'"';
        return new RawJsonString(bytes);
    }

    private static void Append(ref Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        destination = destination[bytes.Length..];
    }
}
