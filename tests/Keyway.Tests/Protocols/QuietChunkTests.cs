using System.Text;
using Keyway.Protocols.OpenAI;

namespace Keyway.Tests.Protocols;

/// <summary>
/// The one-pass check agrees with its definition — no backslash, no "usage", no "error", every "finish_reason" written
/// <c>"finish_reason":null</c> — for real chunks, for each needle at every offset of chunks of every length (so each one
/// lands in a vector round, across two, and in the byte-by-byte tail), and for every one-byte change of a chunk.
/// </summary>
public sealed class QuietChunkTests
{
    // As OpenAI streams them (https://platform.openai.com/docs/api-reference/chat-streaming/streaming).
    private const string ContentChunk =
        """{"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}""";

    private const string FinishChunk =
        """{"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""";

    private const string UsageChunk =
        """{"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":15,"total_tokens":27}}""";

    private static readonly string[] Needles =
        ["\\", "usage", "error", "finish_reason", "\"finish_reason\":null", "\"finish_reason\":nul", "xfinish_reason\":null", "usag", "erro"];

    [Theory]
    [InlineData(ContentChunk, true)]
    [InlineData(FinishChunk, false)]
    [InlineData(UsageChunk, false)]
    [InlineData("""{"choices":[{"index":0,"finish_reason":null},{"index":1,"finish_reason":null}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"finish_reason":null},{"index":1,"finish_reason":"length"}]}""", false)]
    [InlineData("""{"error":{"message":"overloaded"}}""", false)]
    [InlineData("""{"choices":[{"delta":{"content":"a \"quoted\" word"}}]}""", false)]
    [InlineData("", true)]
    public void Chunk_IsQuietExactlyWhenItHoldsNothingToObserve(string chunk, bool quiet)
    {
        var bytes = Encoding.UTF8.GetBytes(chunk);

        Assert.Equal(quiet, QuietChunk.Is(bytes));
        Assert.Equal(quiet, Definition(bytes));
    }

    [Fact]
    public void EachNeedleAtEveryOffsetOfEveryLength_AgreesWithTheDefinition()
    {
        foreach (var needle in Needles.Select(Encoding.UTF8.GetBytes))
        {
            for (var length = needle.Length; length <= 80; length++)
            {
                for (var offset = 0; offset + needle.Length <= length; offset++)
                {
                    var chunk = Enumerable.Repeat((byte)'a', length).ToArray();
                    needle.CopyTo(chunk, offset);
                    Assert.True(Definition(chunk) == QuietChunk.Is(chunk), $"\"{Encoding.UTF8.GetString(chunk)}\"");
                }
            }
        }
    }

    [Theory]
    [InlineData(ContentChunk)]
    [InlineData(FinishChunk)]
    [InlineData(UsageChunk)]
    public void EveryOneByteChange_AgreesWithTheDefinition(string original)
    {
        var replacements = "\\\"ufenrl:a"u8.ToArray();
        foreach (var position in Enumerable.Range(0, original.Length))
        {
            foreach (var replacement in replacements)
            {
                var chunk = Encoding.UTF8.GetBytes(original);
                chunk[position] = replacement;
                Assert.True(Definition(chunk) == QuietChunk.Is(chunk), $"\"{Encoding.UTF8.GetString(chunk)}\"");
            }
        }
    }

    /// <summary>What the check must decide, written as plainly as it can be (the four searches it replaced).</summary>
    private static bool Definition(ReadOnlySpan<byte> chunk) =>
        !chunk.Contains((byte)'\\')
        && chunk.IndexOf("usage"u8) < 0
        && chunk.IndexOf("error"u8) < 0
        && chunk.Count("finish_reason"u8) == chunk.Count("\"finish_reason\":null"u8);
}
