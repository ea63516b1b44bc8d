using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Keyway.Protocols.Json;
using Microsoft.ML.Tokenizers;

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
/// A body that is not valid JSON is counted as plain text, so the answer always grows with the input.
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

    /// <summary>Counts with the o200k_base tokenizer (loaded on first use).</summary>
    public static int CountInputTokens(ReadOnlySpan<byte> countTokensRequestJson) => Count(countTokensRequestJson, Counting.O200k);

    /// <summary>
    /// The texts of one JSON value (a string whole; within arrays and objects the same text-bearing members as the
    /// count), one token per <see cref="BytesPerToken"/> UTF-8 bytes as written in the JSON, without the tokenizer:
    /// for the prompt size a translated stream's <c>message_start</c> carries before the upstream reports one. The
    /// o200k_base vocabulary held 28 MB of large-object heap and 14 MB more of gen2 once the first such stream loaded it
    /// (bench/RESULTS.md).
    /// </summary>
    public static int EstimateTextTokens(ReadOnlySpan<byte> jsonValue)
    {
        var reader = new Utf8JsonReader(jsonValue);
        return CountValue(ref reader, jsonValue, Counting.ByLength).Tokens;
    }

    /// <summary>Tokens for a text of <paramref name="utf8Bytes"/> bytes, one per <see cref="BytesPerToken"/>, rounded up.</summary>
    public static int ForUtf8Length(int utf8Bytes) => (utf8Bytes + BytesPerToken - 1) / BytesPerToken;

    private static int Count(ReadOnlySpan<byte> json, Counting counting)
    {
        try
        {
            return CountJson(json, counting);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return BaseOverhead + CountUtf8(json, counting);
        }
    }

    private static int CountJson(ReadOnlySpan<byte> json, Counting counting)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return BaseOverhead + CountUtf8(json, counting);
        }

        var total = BaseOverhead;
        while (JsonReading.NextProperty(ref reader))
        {
            var overhead = reader.ValueTextEquals("messages"u8) ? PerMessageOverhead
                : reader.ValueTextEquals("tools"u8) ? PerToolOverhead
                : reader.ValueTextEquals("system"u8) ? 0
                : -1;
            if (overhead < 0)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            var (tokens, elements) = CountValue(ref reader, json, counting);
            total += tokens + (elements * overhead);
        }

        return total;
    }

    /// <summary>
    /// Walks the value after the current property name: a bare string is counted whole; inside objects and arrays,
    /// strings under text-bearing keys are counted, and <c>input</c>/<c>input_schema</c> as their JSON text.
    /// Also returns how many objects the value holds directly (messages or tools when it is their array).
    /// </summary>
    private static (int Tokens, int Elements) CountValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Counting counting)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return (CountString(ref reader, counting), 0);
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
                    tokens += CountString(ref reader, counting);
                    break;
                case JsonTokenType.StartObject when pending == TextKind.ImageSource:
                    tokens += ImageTokens.OfSource(ref reader);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray when pending == TextKind.Json:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    tokens += CountUtf8(json[start..(int)reader.BytesConsumed], counting);
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

    private static int CountString(ref Utf8JsonReader reader, Counting counting)
    {
        if (counting == Counting.ByLength)
        {
            return ForUtf8Length(reader.ValueSpan.Length);
        }

        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, reader.ValueSpan.Length));
        try
        {
            var length = reader.ValueIsEscaped
                ? reader.CopyString(rented)
                : Encoding.UTF8.GetChars(reader.ValueSpan, rented);
            return O200k.CountTokens(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static int CountUtf8(ReadOnlySpan<byte> utf8, Counting counting)
    {
        if (counting == Counting.ByLength)
        {
            return ForUtf8Length(utf8.Length);
        }

        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxCharCount(utf8.Length)));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, rented);
            return O200k.CountTokens(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The o200k_base tokenizer, kept behind its own class and a call that is never inlined: a method that merely
    /// mentions a Microsoft.ML.Tokenizers type loads that assembly when it is compiled, and so would every
    /// translated stream's length estimate.
    /// </summary>
    private static class O200k
    {
        // Created on first use: loading the vocabulary is costly, and the tokenizer is safe to share across threads.
        private static readonly Tokenizer Tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int CountTokens(ReadOnlySpan<char> text) => Tokenizer.CountTokens(text);
    }

    private enum Counting
    {
        O200k,
        ByLength,
    }

    private enum TextKind
    {
        None,
        Text,
        Json,
        ImageSource,
    }
}
