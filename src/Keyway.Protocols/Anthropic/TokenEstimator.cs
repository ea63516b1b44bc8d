using System.Buffers;
using System.Text;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// An estimate for <c>/v1/messages/count_tokens</c> (https://docs.anthropic.com/en/api/messages-count-tokens) when the
/// upstream cannot count. Claude's tokenizer is not public, so this counts with OpenAI's o200k_base: an
/// approximation, not Claude's exact number. What is counted:
/// <list type="bullet">
/// <item><c>system</c>: the string, or the <c>text</c> of each block;</item>
/// <item>every message's content: a string, or per block its <c>text</c>, <c>thinking</c>, tool_use <c>name</c> and
/// <c>input</c> (as JSON text), tool_result <c>content</c> (string or blocks); an image's <c>source</c> as
/// <see cref="ImageTokens"/> says (a base64 source of another media type, a PDF, adds nothing);</item>
/// <item><c>tools</c>: <c>name</c>, <c>description</c> and <c>input_schema</c> (as JSON text);</item>
/// <item>fixed overheads: <see cref="BaseOverhead"/> per request, <see cref="PerMessageOverhead"/> per message
/// (role and turn markers) and <see cref="PerToolOverhead"/> per tool (its definition's framing).</item>
/// </list>
/// A body that is not valid JSON is counted as plain text, so the answer always grows with the input. The tokenizer
/// reads at most <see cref="TokenizedBytesLimit"/> bytes of text per request: texts past it are counted by length
/// (<see cref="ForUtf8Length"/>), so a huge body costs a bounded time and memory (a 30 MB body took 20 s of CPU and
/// hundreds of MB tokenized whole).
/// </summary>
public static class TokenEstimator
{
    /// <summary>Tokens added once per request, for the start of the assistant's turn.</summary>
    public const int BaseOverhead = 3;

    /// <summary>Tokens added per message, for its role and turn delimiters.</summary>
    public const int PerMessageOverhead = 3;

    /// <summary>Tokens added per tool, for the framing around its definition.</summary>
    public const int PerToolOverhead = 8;

    /// <summary>UTF-8 bytes per token in <see cref="EstimateTextTokens"/> (OpenAI's rule of thumb for English text).</summary>
    public const int BytesPerToken = 4;

    /// <summary>UTF-8 bytes of text one request may have tokenized; each text that would go past it is counted by length.</summary>
    public const int TokenizedBytesLimit = 1024 * 1024;

    /// <summary>
    /// Counts with the o200k_base tokenizer (<see cref="O200kBase"/>, loaded on first use), within
    /// <see cref="TokenizedBytesLimit"/>; stops with <see cref="OperationCanceledException"/> between texts once
    /// <paramref name="cancellationToken"/> is canceled. Also counts a Responses request's <c>input</c> and
    /// <c>instructions</c> (as messages and system).
    /// </summary>
    public static int CountInputTokens(ReadOnlySpan<byte> requestJson, CancellationToken cancellationToken = default) =>
        Count(requestJson, new Counter(TokenizedBytesLimit, cancellationToken));

    /// <summary>
    /// The texts of one JSON value (a string whole; within arrays and objects the same text-bearing members as the
    /// count), one token per <see cref="BytesPerToken"/> UTF-8 bytes as written in the JSON, without the tokenizer:
    /// for the prompt size a translated stream's <c>message_start</c> carries before the upstream reports one. The
    /// o200k_base vocabulary takes 0.2–0.3 s to load and then keeps ~4 MB (<see cref="O200kVocabulary"/>; Microsoft.ML.Tokenizers'
    /// kept 41 MB, bench/RESULTS.md), which a stream that the upstream will report on anyway need not pay.
    /// </summary>
    public static int EstimateTextTokens(ReadOnlySpan<byte> jsonValue)
    {
        var reader = new Utf8JsonReader(jsonValue);
        return CountValue(ref reader, jsonValue, Counter.ByLength).Tokens;
    }

    /// <summary>Tokens for a text of <paramref name="utf8Bytes"/> bytes, one per <see cref="BytesPerToken"/>, rounded up.</summary>
    public static int ForUtf8Length(int utf8Bytes) => (utf8Bytes + BytesPerToken - 1) / BytesPerToken;

    private static int Count(ReadOnlySpan<byte> json, Counter counter)
    {
        try
        {
            return CountJson(json, counter);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return BaseOverhead + CountUtf8(json, counter);
        }
    }

    private static int CountJson(ReadOnlySpan<byte> json, Counter counter)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return BaseOverhead + CountUtf8(json, counter);
        }

        var total = BaseOverhead;
        while (JsonReading.NextProperty(ref reader))
        {
            var overhead = reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("input"u8) ? PerMessageOverhead
                : reader.ValueTextEquals("tools"u8) ? PerToolOverhead
                : reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("instructions"u8) ? 0
                : -1;
            if (overhead < 0)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            var (tokens, elements) = CountValue(ref reader, json, counter);
            total += tokens + (elements * overhead);
        }

        return total;
    }

    /// <summary>
    /// Walks the value after the current property name: a bare string is counted whole; inside objects and arrays,
    /// strings under text-bearing keys are counted, and <c>input</c>/<c>input_schema</c> as their JSON text.
    /// Also returns how many objects the value holds directly (messages or tools when it is their array).
    /// </summary>
    private static (int Tokens, int Elements) CountValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Counter counter)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return (CountString(ref reader, counter), 0);
        }

        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return (0, 0);
        }

        var depth = reader.CurrentDepth;
        var tokens = 0;
        var elements = 0;
        var pending = TextKind.None;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth)
            {
                break;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pending = Classify(ref reader);
                    continue;
                case JsonTokenType.String when pending == TextKind.Text:
                    tokens += CountString(ref reader, counter);
                    break;
                case JsonTokenType.StartObject when pending == TextKind.ImageSource:
                    tokens += ImageTokens.OfSource(ref reader);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray when pending == TextKind.Json:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    tokens += CountUtf8(json[start..(int)reader.BytesConsumed], counter);
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == depth + 1:
                    elements++;
                    break;
            }

            pending = TextKind.None;
        }

        return (tokens, elements);
    }

    private static TextKind Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("content"u8)
            || reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("description"u8))
        {
            return TextKind.Text;
        }

        if (reader.ValueTextEquals("source"u8))
        {
            return TextKind.ImageSource;
        }

        return reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("input_schema"u8) ? TextKind.Json : TextKind.None;
    }

    private static int CountString(ref Utf8JsonReader reader, Counter counter)
    {
        if (!counter.Tokenizes(reader.ValueSpan.Length))
        {
            return ForUtf8Length(reader.ValueSpan.Length);
        }

        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, reader.ValueSpan.Length));
        try
        {
            var length = reader.ValueIsEscaped
                ? reader.CopyString(rented)
                : Encoding.UTF8.GetChars(reader.ValueSpan, rented);
            return O200kBase.CountTokens(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static int CountUtf8(ReadOnlySpan<byte> utf8, Counter counter)
    {
        if (!counter.Tokenizes(utf8.Length))
        {
            return ForUtf8Length(utf8.Length);
        }

        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxCharCount(utf8.Length)));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, rented);
            return O200kBase.CountTokens(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>What is left of a request's <see cref="TokenizedBytesLimit"/>; with none, every text is counted by length.</summary>
    private sealed class Counter(int tokenizedBytes, CancellationToken cancellationToken)
    {
        public static readonly Counter ByLength = new(0, CancellationToken.None);

        private int _left = tokenizedBytes;

        /// <summary>Whether a text of <paramref name="utf8Bytes"/> goes through the tokenizer (taking its share of the limit).</summary>
        public bool Tokenizes(int utf8Bytes)
        {
            if (utf8Bytes == 0 || utf8Bytes > _left)
            {
                return false;
            }
            cancellationToken.ThrowIfCancellationRequested();
            _left -= utf8Bytes;
            return true;
        }
    }

    private enum TextKind
    {
        None,
        Text,
        Json,
        ImageSource,
    }
}
