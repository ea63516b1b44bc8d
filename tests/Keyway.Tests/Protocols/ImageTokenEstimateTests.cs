using System.Text;
using Keyway.Protocols.Anthropic;

namespace Keyway.Tests.Protocols;

/// <summary>
/// count_tokens estimates count images as Anthropic documents them (https://docs.anthropic.com/en/docs/build-with-claude/vision:
/// tokens = width × height / 750, an image first scaled down to a long edge of 1,568 px and ~1,600 tokens; a 200×200
/// image is ~54 tokens), the size read from the header of a base64 PNG, JPEG, GIF or WebP, and a URL image at
/// <see cref="ImageTokens.UnknownSize"/>.
/// </summary>
public sealed class ImageTokenEstimateTests
{
    [Theory]
    [InlineData(200, 200, 54)]
    [InlineData(1000, 1000, 1334)]
    [InlineData(4000, 3000, ImageTokens.UnknownSize)]
    public void Png_CountsItsArea(int width, int height, int tokens) =>
        Assert.Equal(tokens, ImageCount(Base64Source("image/png", Png(width, height))));

    [Fact]
    public void Jpeg_Gif_AndWebP_AreReadToo()
    {
        Assert.Equal(54, ImageCount(Base64Source("image/jpeg", Jpeg(200, 200))));
        Assert.Equal(54, ImageCount(Base64Source("image/gif", [.. "GIF89a"u8, 200, 0, 200, 0, 0, 0, 0])));
        Assert.Equal(54, ImageCount(Base64Source("image/webp", [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8X"u8, 10, 0, 0, 0, 0, 0, 0, 0, 199, 0, 0, 199, 0, 0])));
    }

    [Fact]
    public void UrlImage_AndUnreadableData_CountTheFixedEstimate()
    {
        Assert.Equal(ImageTokens.UnknownSize, ImageCount("""{"type":"url","url":"https://example.com/a.png"}"""));
        Assert.Equal(ImageTokens.UnknownSize, ImageCount(Base64Source("image/png", [1, 2, 3])));
    }

    [Fact]
    public void ImageInAToolResult_CountsToo()
    {
        var source = Base64Source("image/png", Png(200, 200));
        var withImage = Count($$"""[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{{source}}}]}]""");
        var without = Count("""[{"type":"tool_result","tool_use_id":"t","content":[]}]""");

        Assert.Equal(54, withImage - without);
    }

    private static int ImageCount(string source) =>
        Count($$"""[{"type":"image","source":{{source}}}]""") - Count("[]");

    private static int Count(string content) => TokenEstimator.CountInputTokens(
        Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":{{content}}}]}"""));

    private static string Base64Source(string mediaType, byte[] bytes) =>
        $$"""{"type":"base64","media_type":"{{mediaType}}","data":"{{Convert.ToBase64String(bytes)}}"}""";

    private static byte[] Png(int width, int height) =>
        [0x89, .. "PNG\r\n\x1a\n"u8, 0, 0, 0, 13, .. "IHDR"u8, .. BigEndian(width), .. BigEndian(height), 8, 6, 0, 0, 0];

    /// <summary>SOI, an APP0 segment to walk past, then the SOF0 frame header with the size.</summary>
    private static byte[] Jpeg(int width, int height) =>
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, .. BigEndian(height)[2..], .. BigEndian(width)[2..], 1, 1, 0x11, 0];

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
