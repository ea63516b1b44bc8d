using System.Buffers;
using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// content_block_delta events are written by hand around their one string (TranslationJson.WriteBlockDelta): the bytes
/// must be what the serializer wrote before — "type" first, UTF-8 text left readable, only what JSON requires escaped.
/// </summary>
public sealed class BlockDeltaWriterTests
{
    [Theory]
    [InlineData("text_delta", "text", "Hello")]
    [InlineData("thinking_delta", "thinking", "Let me think.")]
    [InlineData("input_json_delta", "partial_json", "{\"path\":")]
    public void EachDeltaKind_NamesItsTypeFirst_ThenItsOneField(string deltaType, string field, string value)
    {
        var written = Write(7, deltaType, field, value);

        var data = $"{{\"type\":\"content_block_delta\",\"index\":7,\"delta\":{{\"type\":\"{deltaType}\",\"{field}\":{Quoted(value)}}}}}";
        Assert.Equal($"event: content_block_delta\ndata: {data}\n\n", written);
    }

    [Fact]
    public void ATextWithQuotesControlCharactersAndNonAscii_IsEscapedAsTheSerializerDid()
    {
        var written = Write(1234, "text_delta", "text", "say \"hi\"\\\n\t\u0001 café <b>&</b> 你好 🙂");

        // As the serializer with the relaxed encoder: a character outside the BMP (the emoji) is written as its two
        // UTF-16 escapes.
        Assert.Contains("\"text\":\"say \\\"hi\\\"\\\\\\n\\t\\u0001 café <b>&</b> 你好 \\uD83D\\uDE42\"}}\n\n", written, StringComparison.Ordinal);
        Assert.Contains("\"index\":1234,", written, StringComparison.Ordinal);
    }

    private static string Write(int index, string deltaType, string field, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        TranslationJson.WriteBlockDelta(output, index, Encoding.UTF8.GetBytes(deltaType), Encoding.UTF8.GetBytes(field), value);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Quoted(string value) => "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
