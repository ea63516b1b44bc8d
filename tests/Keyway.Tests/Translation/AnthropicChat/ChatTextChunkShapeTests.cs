using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.ChatChunkPrefixTests;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A chunk read from the shape of the stream's last plain text chunk reads exactly as it does when read whole: for
/// texts that fit the shape, for every kind of text that must not (quotes, escapes, control characters, broken UTF-8),
/// for every one-byte change of a chunk, for content and for reasoning (reasoning_content or reasoning), and after chunks that must teach no shape
/// (a finish, a tool call, usage, two texts, two choices, content parts).
/// </summary>
public sealed class ChatTextChunkShapeTests
{
    // As OpenAI streams them (https://platform.openai.com/docs/api-reference/chat-streaming/streaming); a thinking model
    // (DeepSeek's reasoner, https://api-docs.deepseek.com/guides/reasoning_model) streams reasoning_content the same way.
    private const string Start =
        """{"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{""";

    private const string Content = "\"content\":\"";
    private const string Reasoning = "\"content\":null,\"reasoning_content\":\"";

    // OpenRouter and newer vLLM name it "reasoning"; an upstream sending both means one text, and reasoning_content wins.
    private const string ReasoningAlias = "\"content\":null,\"reasoning_content\":null,\"reasoning\":\"";
    private const string ReasoningAfterItsAlias = "\"reasoning\":\"the same\",\"reasoning_content\":\"";

    private const string Tail = "\"},\"logprobs\":null,\"finish_reason\":null}]}";

    [Theory]
    [InlineData(Content, "Hello")]
    [InlineData(Content, "")]
    [InlineData(Content, " world, {with} [brackets]: and 'quotes'")]
    [InlineData(Content, "Grüße 你好 😀")]
    [InlineData(Reasoning, "Let me think")]
    [InlineData(Reasoning, "")]
    [InlineData(ReasoningAlias, "Let me think")]
    [InlineData(ReasoningAfterItsAlias, "Let me think")]
    public void ChunkDifferingOnlyInAPlainText_IsReadFromTheShape_AsWhenReadWhole(string opening, string text)
    {
        var chunk = Chunk(text, opening);
        var shape = Primed(opening);

        Assert.NotNull(shape.Read(chunk));

        Assert.Equal(ReadWhole(chunk), Describe(shape.Read(chunk)));
    }

    [Theory]
    [InlineData("a \\\"quoted\\\" word")]
    [InlineData("line\\nbreak")]
    [InlineData("\\u00e9t\\u00e9")]
    [InlineData("tab\there")]
    public void TextThatNeedsTheReader_IsNotReadFromTheShape_ButStillReadAsWhenReadWhole(string text)
    {
        var chunk = Chunk(text);
        var shape = Primed();

        Assert.Null(shape.Read(chunk));
        Assert.Equal(ReadWhole(chunk), Describe(ChatReader.ReadChunk(chunk, new ChatChunkPrefix(), shape)));
    }

    [Fact]
    public void BrokenUtf8Text_IsNotReadFromTheShape()
    {
        var chunk = Chunk("ab");
        chunk[(Start + Content).Length] = 0xC3;

        Assert.Null(Primed().Read(chunk));
        Assert.Equal("unreadable", ReadWhole(chunk));
    }

    [Theory]
    [InlineData(Content)]
    [InlineData(Reasoning)]
    [InlineData(ReasoningAlias)]
    [InlineData(ReasoningAfterItsAlias)]
    public void EveryOneByteChange_ReadsAsWhenReadWhole(string opening)
    {
        var original = Chunk("Hello there", opening);
        byte[] replacements = [.. "\"\\{}[],: 0an"u8, 0x01, 0x7F, 0xC3, 0xFF];
        foreach (var position in Enumerable.Range(0, original.Length))
        {
            foreach (var replacement in replacements)
            {
                var chunk = (byte[])original.Clone();
                chunk[position] = replacement;
                Assert.True(
                    ReadWhole(chunk) == Describe(ChatReader.ReadChunk(chunk, new ChatChunkPrefix(), Primed(opening))),
                    $"byte {position} set to 0x{replacement:X2}: {Encoding.UTF8.GetString(chunk)}");
            }
        }
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a","reasoning_content":"a"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a","tool_calls":[{"index":0,"id":"call_1"}]}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":3}}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":[{"type":"text","text":"a"}]}}]}""")]
    public void ChunkWithMoreThanAText_TeachesNoShape(string taught)
    {
        var shape = new ChatTextChunkShape();
        Assert.NotNull(ChatReader.ReadChunk(Encoding.UTF8.GetBytes(taught), new ChatChunkPrefix(), shape));

        var lastText = taught.LastIndexOf("\"a\"", StringComparison.Ordinal);
        var sameShapeOtherText = Encoding.UTF8.GetBytes(taught[..lastText] + "\"z\"" + taught[(lastText + 3)..]);

        Assert.Null(shape.Read(sameShapeOtherText));
    }

    [Fact]
    public void ChoiceIndex_IsKeptFromTheTaughtChunk()
    {
        var shape = new ChatTextChunkShape();
        ChatReader.ReadChunk("""{"choices":[{"index":2,"delta":{"content":"a"}}]}"""u8, new ChatChunkPrefix(), shape);
        var next = """{"choices":[{"index":2,"delta":{"content":"b"}}]}"""u8.ToArray();

        Assert.Equal(ReadWhole(next), Describe(shape.Read(next)));
    }

    private static byte[] Chunk(string text, string opening = Content) => Encoding.UTF8.GetBytes(Start + opening + text + Tail);

    private static ChatTextChunkShape Primed(string opening = Content)
    {
        var shape = new ChatTextChunkShape();
        Assert.NotNull(ChatReader.ReadChunk(Chunk("first", opening), new ChatChunkPrefix(), shape));
        return shape;
    }
}
