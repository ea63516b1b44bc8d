using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;
using System.Numerics;
using System.Reflection;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// The o200k_base vocabulary in three flat arrays: every token's bytes one after the other in one block, where each
/// token starts in it (the token's rank is its index), and an open-addressing hash table of ranks keyed by the bytes.
/// About 4 MB in all, where Microsoft.ML.Tokenizers' dictionaries over ~200k separate arrays kept ~41 MB live.
/// </summary>
internal sealed class O200kVocabulary
{
    /// <summary>The vocabulary file inside the Microsoft.ML.Tokenizers.Data.O200kBase package.</summary>
    private const string DataType = "Microsoft.ML.Tokenizers.O200kBaseTokenizerData, Microsoft.ML.Tokenizers.Data.O200kBase";
    private const string DataResource = "o200k_base.tiktoken.deflate";

    private readonly byte[] _bytes;
    private readonly int[] _starts;
    private readonly int[] _slots;

    private O200kVocabulary(byte[] bytes, int[] starts, int count)
    {
        _bytes = bytes;
        _starts = starts;
        _slots = new int[Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)count * 2))];
        for (var rank = 0; rank < count; rank++)
        {
            var slot = Slot(Token(rank));
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & (_slots.Length - 1);
            }
            _slots[slot] = rank + 1;
        }
    }

    /// <summary>The rank of the token made of exactly <paramref name="token"/>, or -1 when there is none.</summary>
    public int Rank(ReadOnlySpan<byte> token)
    {
        var slot = Slot(token);
        int entry;
        while ((entry = _slots[slot]) != 0)
        {
            if (Token(entry - 1).SequenceEqual(token))
            {
                return entry - 1;
            }
            slot = (slot + 1) & (_slots.Length - 1);
        }
        return -1;
    }

    /// <summary>
    /// Reads the package's tiktoken file: a <c>Capacity: N</c> line, then one base64 token a line, ranked by its line.
    /// It is read twice, the first time only to size the arrays, so that loading allocates little more than they hold
    /// (a growing buffer of the whole text put ~16 MB more in the heap's young generation, RSS the process kept).
    /// <see cref="Type.GetType(string, bool)"/> with a constant name keeps the data assembly under Native AOT.
    /// </summary>
    public static O200kVocabulary Load()
    {
        var assembly = Type.GetType(DataType, throwOnError: true)!.Assembly;
        var (count, length) = ReadTokens(assembly, null, null);
        var bytes = new byte[length];
        var starts = new int[count + 1];
        if (ReadTokens(assembly, bytes, starts) != (count, length))
        {
            throw new InvalidDataException($"{DataResource} read differently twice");
        }
        starts[count] = length;
        return new O200kVocabulary(bytes, starts, count);
    }

    /// <summary>
    /// Goes through the token lines, decoding each into <paramref name="bytes"/> and noting where it starts in
    /// <paramref name="starts"/> when they are given; returns the number of tokens and of their bytes.
    /// </summary>
    private static (int Count, int Length) ReadTokens(Assembly assembly, byte[]? bytes, int[]? starts)
    {
        using var deflate = new DeflateStream(assembly.GetManifestResourceStream(DataResource)
            ?? throw new InvalidDataException($"{DataResource} is missing from {assembly.GetName().Name}"), CompressionMode.Decompress);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var (count, length, filled, ended) = (0, 0, 0, false);
            while (!ended)
            {
                if (filled == buffer.Length)
                {
                    throw new InvalidDataException($"{DataResource}: a line longer than {buffer.Length} bytes");
                }
                var read = deflate.Read(buffer, filled, buffer.Length - filled);
                ended = read == 0;
                filled += read;
                var text = buffer.AsSpan(0, filled);
                while (!text.IsEmpty)
                {
                    var end = text.IndexOf((byte)'\n');
                    if (end < 0 && !ended)
                    {
                        break;
                    }
                    var line = (end < 0 ? text : text[..end]).TrimEnd("\r"u8);
                    text = end < 0 ? [] : text[(end + 1)..];
                    if (line.IsEmpty || line.StartsWith("Capacity:"u8))
                    {
                        continue;
                    }
                    var size = (line.Length / 4 * 3) - (line.EndsWith("=="u8) ? 2 : line.EndsWith("="u8) ? 1 : 0);
                    if (bytes is not null && (Base64.DecodeFromUtf8(line, bytes.AsSpan(length, size), out _, out var written)
                        != OperationStatus.Done || written != size))
                    {
                        throw new InvalidDataException($"{DataResource}: token {count} is not base64");
                    }
                    if (starts is not null)
                    {
                        starts[count] = length;
                    }
                    count++;
                    length += size;
                }
                text.CopyTo(buffer);
                filled = text.Length;
            }
            return (count, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ReadOnlySpan<byte> Token(int rank) => _bytes.AsSpan(_starts[rank], _starts[rank + 1] - _starts[rank]);

    /// <summary>FNV-1a over the bytes, folded to the table's size.</summary>
    private int Slot(ReadOnlySpan<byte> token)
    {
        var hash = 2166136261u;
        foreach (var b in token)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return (int)((hash ^ (hash >> 15)) & (uint)(_slots.Length - 1));
    }
}
