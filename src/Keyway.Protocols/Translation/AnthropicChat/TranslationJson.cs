using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Reading bodies (malformed → <see cref="TranslationException"/>) and writing JSON and SSE events.</summary>
internal static class TranslationJson
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // What the per-thread writer points at between uses, so it holds no request's output; nothing is ever written to it.
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // The body Parse is reading on this thread, so that values only passed on are sliced from it instead of copied.
    [ThreadStatic]
    private static ReadOnlyMemory<byte> t_parsing;

    /// <summary>
    /// Reads a whole body into its DTO. The raw values it holds (<see cref="RawJsonString"/>, <see cref="RawJsonValue"/>)
    /// are slices of <paramref name="json"/>, which must therefore not change while the DTO is in use.
    /// </summary>
    public static T Parse<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        // The reader checks UTF-8 only when a string is transcoded, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new TranslationException($"The {what} is not valid UTF-8.");
        }
        t_parsing = json;
        try
        {
            return JsonSerializer.Deserialize(json.Span, typeInfo)
                ?? throw new TranslationException($"The {what} must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new TranslationException($"The {what} is not valid: {JsonShapeProblem.Describe(json.Span, typeInfo, ex)}");
        }
        finally
        {
            t_parsing = default;
        }
    }

    /// <summary>
    /// Where <paramref name="token"/> (a reader's <c>ValueSpan</c>) lies in the body being parsed on this thread, or null
    /// when it is not part of it (no <see cref="Parse"/> running, or a reader over other bytes).
    /// </summary>
    public static int? OffsetInParsedBody(ReadOnlySpan<byte> token) =>
        t_parsing.Span.Overlaps(token, out var offset) && offset >= 0 && offset + token.Length <= t_parsing.Length ? offset : null;

    /// <summary>A slice of the body being parsed on this thread (see <see cref="OffsetInParsedBody"/>).</summary>
    public static ReadOnlyMemory<byte> ParsedBody(int start, int length) => t_parsing.Slice(start, length);

    /// <summary>
    /// The value the reader is at (not a string: see <see cref="RawJsonString.Read"/>), as the slice of the body being
    /// parsed it was written as, the reader moved to its last token; false, the reader unmoved, when it is not part of it.
    /// </summary>
    public static bool TrySliceValue(ref Utf8JsonReader reader, out ReadOnlyMemory<byte> value)
    {
        if (reader.HasValueSequence || OffsetInParsedBody(reader.ValueSpan) is not { } start)
        {
            value = default;
            return false;
        }

        reader.Skip();
        var end = OffsetInParsedBody(reader.ValueSpan)!.Value + reader.ValueSpan.Length;
        value = ParsedBody(start, end - start);
        return true;
    }

    /// <summary>A token limit the upstream would refuse (zero or negative) is refused here, in the caller's protocol.</summary>
    public static int? RequirePositive(int? tokens, string field) =>
        tokens is <= 0 ? throw new TranslationException($"{field} must be a positive integer, not {tokens}.") : tokens;

    /// <summary>An upstream stream event's JSON, or null when it is unreadable (streams skip those).</summary>
    public static T? TryParse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The text of a JSON string node; null for anything else.</summary>
    public static string? StringOf(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The compact JSON text of a node (how Chat carries tool arguments).</summary>
    public static string ToText(System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is null)
        {
            return "{}";
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <c>event: name\ndata: json\n\n</c> (Anthropic) or, without a name, <c>data: json\n\n</c> (Chat).</summary>
    public static void WriteEvent<T>(IBufferWriter<byte> output, string? eventName, T value, JsonTypeInfo<T> typeInfo)
    {
        if (eventName is not null)
        {
            Write(output, "event: "u8);
            var nameBytes = System.Text.Encoding.UTF8.GetMaxByteCount(eventName.Length);
            output.Advance(System.Text.Encoding.UTF8.GetBytes(eventName, output.GetSpan(nameBytes)));
            Write(output, "\n"u8);
        }

        Write(output, "data: "u8);
        Serialize(output, value, typeInfo);

        Write(output, "\n\n"u8);
    }

    /// <summary>
    /// A <c>content_block_delta</c> event, <c>{"type":"content_block_delta","index":N,"delta":{"type":deltaType,
    /// field:value}}</c>, as the serializer wrote it: most events of a translated stream are these, and writing all but
    /// the one string by hand took the canned stream's translation from 18.9 to 16.4 µs (<c>bench/micro</c>).
    /// </summary>
    public static void WriteBlockDelta(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> deltaType, ReadOnlySpan<byte> field, string value)
    {
        Write(output, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        var digits = output.GetSpan(11);
        index.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
        Write(output, ",\"delta\":{\"type\":\""u8);
        Write(output, deltaType);
        Write(output, "\",\""u8);
        Write(output, field);
        Write(output, "\":"u8);
        using (var lease = new WriterLease(output))
        {
            lease.Writer.WriteStringValue(value);
            lease.Writer.Flush();
        }
        Write(output, "}}\n\n"u8);
    }

    /// <summary>Compact JSON with UTF-8 text left readable (only what JSON requires is escaped), in an array of its own.</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using var bytes = SerializeLeased(value, typeInfo, PooledBufferWriter.DefaultCapacity);
        return bytes.Memory.ToArray();
    }

    /// <summary>
    /// The same JSON left in the pooled array it was written to. <paramref name="expectedSize"/> sizes that array: a
    /// translated request is about as long as the client's, and growing to it from the default copied a Claude
    /// Code-sized one five times over.
    /// </summary>
    public static LeasedBytes SerializeLeased<T>(T value, JsonTypeInfo<T> typeInfo, int expectedSize)
    {
        using var buffer = new PooledBufferWriter(expectedSize);
        Serialize(buffer, value, typeInfo);
        return buffer.Detach();
    }

    public static void WriteDone(IBufferWriter<byte> output) => Write(output, "data: [DONE]\n\n"u8);

    private static void Serialize<T>(IBufferWriter<byte> output, T value, JsonTypeInfo<T> typeInfo)
    {
        // One writer per thread, pointed at each output in turn: a translated stream serializes every event, and a new
        // Utf8JsonWriter per event was a tenth of the bytes such a request allocated (bench/run.sh --probe).
        using var lease = new WriterLease(output);
        JsonSerializer.Serialize(lease.Writer, value, typeInfo);
        lease.Writer.Flush();
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>The thread's writer, pointed at one output until disposed, then back at <see cref="Detached"/>.</summary>
    private readonly ref struct WriterLease
    {
        public WriterLease(IBufferWriter<byte> output)
        {
            Writer = t_writer ??= new Utf8JsonWriter(Detached, WriterOptions);
            Writer.Reset(output);
        }

        public Utf8JsonWriter Writer { get; }

        public void Dispose() => Writer.Reset(Detached);
    }
}
