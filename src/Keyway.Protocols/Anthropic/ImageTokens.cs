using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// What an image costs in a count_tokens estimate, as Anthropic documents it (https://docs.anthropic.com/en/docs/build-with-claude/vision):
/// tokens = width × height / 750, an image whose long edge is over 1,568 px, or which is over ~1,600 tokens, being scaled
/// down first. The size is read from the header of a base64 PNG, JPEG, GIF or WebP; an image by URL, or one whose header
/// cannot be read, counts <see cref="UnknownSize"/>.
/// </summary>
public static class ImageTokens
{
    /// <summary>An image of unknown size: the most an image costs after Anthropic's scaling, so a budget is not overrun.</summary>
    public const int UnknownSize = 1600;

    private const int MaxLongEdge = 1568;

    /// <summary>Base64 characters decoded at most to find a JPEG's frame header (it may follow EXIF data).</summary>
    private const int MaxHeaderBase64 = 256 * 1024;

    /// <summary>The tokens of the block <c>source</c> object the reader is at (on its StartObject; left on its EndObject).</summary>
    public static int OfSource(ref Utf8JsonReader reader)
    {
        var tokens = UnknownSize;
        var isMedia = true;
        while (JsonReading.NextProperty(ref reader))
        {
            var isData = reader.ValueTextEquals("data"u8);
            var isMediaType = reader.ValueTextEquals("media_type"u8);
            reader.Read();
            if (isMediaType && reader.TokenType == JsonTokenType.String)
            {
                // A base64 PDF (a document block's source) is not an image.
                isMedia = reader.ValueSpan.StartsWith("image/"u8);
            }
            else if (isData && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && Size(reader.ValueSpan) is var (width, height))
            {
                tokens = Of(width, height);
            }

            reader.Skip();
        }

        return isMedia ? tokens : 0;
    }

    public static int Of(int width, int height)
    {
        var scale = Math.Min(1.0, (double)MaxLongEdge / Math.Max(width, height));
        var tokens = (int)Math.Ceiling(width * scale * (height * scale) / 750);
        return Math.Min(tokens, UnknownSize);
    }

    private static (int Width, int Height)? Size(ReadOnlySpan<byte> base64)
    {
        var text = base64[..(Math.Min(base64.Length, MaxHeaderBase64) / 4 * 4)];
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        // A prefix cut inside the padding, or data that is not base64, decodes what it can.
        Base64.DecodeFromUtf8(text, bytes, out _, out var written, isFinalBlock: text.Length == base64.Length);
        var header = bytes.AsSpan(0, written);
        var size = header switch
        {
            [0x89, (byte)'P', (byte)'N', (byte)'G', ..] when header.Length >= 24 =>
                ((int)BinaryPrimitives.ReadUInt32BigEndian(header[16..]), (int)BinaryPrimitives.ReadUInt32BigEndian(header[20..])),
            [(byte)'G', (byte)'I', (byte)'F', ..] when header.Length >= 10 =>
                (BinaryPrimitives.ReadUInt16LittleEndian(header[6..]), BinaryPrimitives.ReadUInt16LittleEndian(header[8..])),
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] when header.Length >= 30 => WebP(header),
            [0xFF, 0xD8, ..] => Jpeg(header),
            _ => ((int, int)?)null,
        };
        return size is ( > 0, > 0) ? size : null;
    }

    /// <summary>https://developers.google.com/speed/webp/docs/riff_container: lossy VP8, lossless VP8L, extended VP8X.</summary>
    private static (int, int)? WebP(ReadOnlySpan<byte> header) => header.Slice(12, 4) switch
    {
        var chunk when chunk.SequenceEqual("VP8 "u8) =>
            (BinaryPrimitives.ReadUInt16LittleEndian(header[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(header[28..]) & 0x3FFF),
        var chunk when chunk.SequenceEqual("VP8L"u8) => VP8L(BinaryPrimitives.ReadUInt32LittleEndian(header[21..])),
        var chunk when chunk.SequenceEqual("VP8X"u8) => (1 + ReadUInt24(header[24..]), 1 + ReadUInt24(header[27..])),
        _ => null,
    };

    private static (int, int) VP8L(uint bits) => ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);

    /// <summary>Walks the segments to the first frame header (SOF0–SOF15 but DHT C4, JPG C8 and DAC CC), which holds the size.</summary>
    private static (int, int)? Jpeg(ReadOnlySpan<byte> data)
    {
        var at = 2;
        while (at + 9 <= data.Length && data[at] == 0xFF)
        {
            var marker = data[at + 1];
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]));
            }

            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        }

        return null;
    }
}
