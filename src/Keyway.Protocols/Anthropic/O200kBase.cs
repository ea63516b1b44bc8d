using System.Buffers;
using System.Text.RegularExpressions;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// OpenAI's o200k_base byte-pair encoding, giving the same tokens as Microsoft.ML.Tokenizers'
/// <c>TiktokenTokenizer.CreateForEncoding("o200k_base")</c> (a test compares them) with a ~4 MB vocabulary
/// (<see cref="O200kVocabulary"/>), loaded on first use. As tiktoken does: the special tokens are cut out first, the
/// text between them is split by <see cref="PreTokens"/>, and each piece's UTF-8 bytes are merged pair by pair, the
/// pair of lowest rank first (the leftmost of equals), unless the whole piece is one token.
/// </summary>
internal static partial class O200kBase
{
    private const int EndOfText = 199_999;
    private const int EndOfPrompt = 200_018;

    /// <summary>Pieces up to this many bytes are merged with a scan for the lowest pair; longer ones with a queue.</summary>
    private const int ScannedPieceBytes = 128;

    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    public static int CountTokens(ReadOnlySpan<char> text) => Encode(text, null);

    /// <summary>Encodes <paramref name="text"/>, adding the token ids to <paramref name="ids"/> when given; returns their number.</summary>
    public static int Encode(ReadOnlySpan<char> text, List<int>? ids)
    {
        var count = 0;
        while (!text.IsEmpty)
        {
            var (at, length, special) = NextSpecialToken(text);
            count += EncodeOrdinary(text[..at], ids);
            if (length == 0)
            {
                break;
            }
            ids?.Add(special);
            count++;
            text = text[(at + length)..];
        }
        return count;
    }

    /// <summary>
    /// tiktoken's o200k_base split pattern (tiktoken_ext/openai_public.py, <c>o200k_base</c>'s <c>pat_str</c>), as
    /// Microsoft.ML.Tokenizers 2.0.1 runs it (<c>TiktokenTokenizer.O200kBaseRegexPattern</c>, no options).
    /// </summary>
    [GeneratedRegex(@"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex PreTokens();

    private static (int At, int Length, int Id) NextSpecialToken(ReadOnlySpan<char> text)
    {
        var from = 0;
        int found;
        while ((found = text[from..].IndexOf("<|endof")) >= 0)
        {
            var at = from + found;
            if (text[at..].StartsWith("<|endoftext|>"))
            {
                return (at, "<|endoftext|>".Length, EndOfText);
            }
            if (text[at..].StartsWith("<|endofprompt|>"))
            {
                return (at, "<|endofprompt|>".Length, EndOfPrompt);
            }
            from = at + 1;
        }
        return (text.Length, 0, 0);
    }

    private static int EncodeOrdinary(ReadOnlySpan<char> text, List<int>? ids)
    {
        var count = 0;
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            foreach (var match in PreTokens().EnumerateMatches(text))
            {
                var chars = text.Slice(match.Index, match.Length);
                if (chars.Length * 3 > buffer.Length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                    rented = ArrayPool<byte>.Shared.Rent(chars.Length * 3);
                    buffer = rented;
                }
                count += EncodePiece(buffer[..Utf8.Write(chars, buffer)], ids);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        return count;
    }

    private static int EncodePiece(ReadOnlySpan<byte> piece, List<int>? ids)
    {
        var vocabulary = Vocabulary.Instance;
        var whole = vocabulary.Rank(piece);
        if (whole >= 0)
        {
            ids?.Add(whole);
            return 1;
        }
        return piece.Length <= ScannedPieceBytes
            ? O200kPairMerge.Scan(vocabulary, piece, ids)
            : O200kPairMerge.Queue(vocabulary, piece, ids);
    }

    /// <summary>
    /// UTF-8 as Microsoft.ML.Tokenizers writes it for the tokenizer: a lone surrogate as the three bytes of its code unit
    /// (where <see cref="System.Text.Encoding.UTF8"/> would write U+FFFD), so that such text counts the same.
    /// </summary>
    private static class Utf8
    {
        public static int Write(ReadOnlySpan<char> chars, Span<byte> bytes)
        {
            var length = 0;
            for (var i = 0; i < chars.Length; i++)
            {
                int c = chars[i];
                if (c < 0x80)
                {
                    bytes[length++] = (byte)c;
                    continue;
                }
                if (c < 0x800)
                {
                    bytes[length++] = (byte)(0xC0 | (c >> 6));
                    bytes[length++] = (byte)(0x80 | (c & 0x3F));
                    continue;
                }
                if (char.IsHighSurrogate((char)c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    var scalar = char.ConvertToUtf32((char)c, chars[++i]);
                    bytes[length++] = (byte)(0xF0 | (scalar >> 18));
                    bytes[length++] = (byte)(0x80 | ((scalar >> 12) & 0x3F));
                    bytes[length++] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
                    bytes[length++] = (byte)(0x80 | (scalar & 0x3F));
                    continue;
                }
                bytes[length++] = (byte)(0xE0 | (c >> 12));
                bytes[length++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[length++] = (byte)(0x80 | (c & 0x3F));
            }
            return length;
        }
    }

    /// <summary>Holds the vocabulary apart, so that it is read on the first encoding, once, whichever thread asks.</summary>
    private static class Vocabulary
    {
        public static readonly O200kVocabulary Instance = O200kVocabulary.Load();
    }
}
