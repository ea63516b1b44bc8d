using System.Globalization;
using System.Text;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An image data URL not in base64 (https://www.rfc-editor.org/rfc/rfc2397: <c>data:[&lt;mediatype&gt;][;param],&lt;data&gt;</c>,
/// the data percent-encoded) as Anthropic's base64 source, which takes image/jpeg, image/png, image/gif and image/webp
/// (https://docs.anthropic.com/en/docs/build-with-claude/vision). Any other type (an SVG) is refused with a 400 naming
/// it: Anthropic cannot read it, and as a url source it would only answer that the URL cannot be downloaded.
/// </summary>
internal static class DataUrl
{
    public const string Scheme = "data:";

    private static readonly string[] ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    public static AnthropicImageSource ImageSource(string url)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw new TranslationException("An image data URL has no data: it must be data:<media type>[;base64],<data>.");
        }
        var header = url.AsSpan(Scheme.Length, comma - Scheme.Length);
        var parameters = header.IndexOf(';');
        var mediaType = (parameters < 0 ? header : header[..parameters]).Trim().ToString().ToLowerInvariant();
        if (Array.IndexOf(ImageTypes, mediaType) < 0)
        {
            throw new TranslationException(
                $"An image data URL of type \"{mediaType}\" cannot be sent to this model's Anthropic upstream, which takes image/jpeg, image/png, image/gif and image/webp.");
        }
        return new AnthropicImageSource { Type = "base64", MediaType = mediaType, Data = RawJsonString.Of(Convert.ToBase64String(PercentDecoded(url.AsSpan(comma + 1)))) };
    }

    /// <summary>
    /// The bytes <paramref name="data"/> stands for: <c>%XX</c> is one byte, any other character its UTF-8 bytes. Not
    /// <see cref="Uri.UnescapeDataString(string)"/>, which decodes to text and would spoil the bytes of a binary image.
    /// </summary>
    private static byte[] PercentDecoded(ReadOnlySpan<char> data)
    {
        var bytes = new List<byte>(data.Length);
        Span<byte> encoded = stackalloc byte[4];
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '%' && i + 2 < data.Length && char.IsAsciiHexDigit(data[i + 1]) && char.IsAsciiHexDigit(data[i + 2]))
            {
                bytes.Add(byte.Parse(data.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                i += 2;
                continue;
            }
            var length = Encoding.UTF8.GetBytes(data.Slice(i, char.IsHighSurrogate(data[i]) && i + 1 < data.Length ? 2 : 1), encoded);
            i += length == 4 ? 1 : 0;
            bytes.AddRange(encoded[..length]);
        }
        return [.. bytes];
    }
}
