using System.Text;
using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A chunk read behind the prefix its stream's earlier chunks repeat reads exactly as it does when read whole: the
/// same document, or unreadable (null) both ways — for well-formed chunks, for ones broken right after the prefix, and
/// for every one-byte change of a chunk.
/// </summary>
public sealed class ChatChunkPrefixTests
{
    // As OpenAI streams it (https://platform.openai.com/docs/api-reference/chat-streaming/streaming): every chunk of an
    // answer starts with the same id, object, created, model and system_fingerprint.
    private const string Prefix =
        """{"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","system_fingerprint":"fp_1", """;

    public static TheoryData<string> Rests => new()
    {
        Json("'choices':[{'index':0,'delta':{'content':'Grüße \\'quoted\\' \\n'},'logprobs':null,'finish_reason':null}]}"),
        Json("'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_1','function':{'name':'get','arguments':'{\\'a\\':1}'}}]}}]}"),
        Json("'choices':[{'index':0,'delta':{},'finish_reason':'stop','stop_reason':'END'}]}"),
        Json("'choices':[],'usage':{'prompt_tokens':12,'completion_tokens':3,'total_tokens':15,'prompt_tokens_details':{'cached_tokens':4}}}"),
        Json("'error':{'message':'overloaded','type':'server_error'}}"),
        Json("'usage':null,'extra':[1,2,{'choices':3}]}"),
        // Unreadable both ways: a trailing comma, an object left open, a member named twice, a second document.
        "}",
        Json("'choices':[{'index':0,'delta':{'content':'x'}}]"),
        Json("'choices':[],'choices':[]}"),
        Json("'choices':[]} {}"),
        Json("'choices':'not an array'}"),
    };

    [Theory]
    [MemberData(nameof(Rests))]
    public void ChunkAfterTheRepeatedPrefix_ReadsAsWhenReadWhole(string rest)
    {
        var chunk = Encoding.UTF8.GetBytes(Prefix + rest);
        var prefix = Primed();

        Assert.Equal(rest.StartsWith('"') ? Prefix.Length : 0, prefix.LengthIn(chunk));
        Assert.Equal(ReadWhole(chunk), Describe(ChatReader.ReadChunk(chunk, prefix, new ChatTextChunkShape())));
    }

    [Fact]
    public void EveryOneByteChange_ReadsAsWhenReadWhole()
    {
        var original = Encoding.UTF8.GetBytes(Prefix + Json("'choices':[{'index':0,'delta':{'content':'Hello'},'finish_reason':null}],'usage':{'prompt_tokens':1}}"));
        var replacements = "\"{}[],:\\ 0an"u8.ToArray();
        var prefix = Primed();
        foreach (var position in Enumerable.Range(0, original.Length))
        {
            foreach (var replacement in replacements)
            {
                var chunk = (byte[])original.Clone();
                chunk[position] = replacement;
                Assert.Equal(ReadWhole(chunk), Describe(ChatReader.ReadChunk(chunk, prefix, new ChatTextChunkShape())));
            }
        }
    }

    [Fact]
    public void ChunkWithOtherLeadingMembers_IsReadWholeAndItsPrefixRemembered()
    {
        var prefix = Primed();
        var other = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-XyZ","choices":[{"index":0,"delta":{"content":"a"}}]}""");

        Assert.Equal(0, prefix.LengthIn(other));
        Assert.Equal(ReadWhole(other), Describe(ChatReader.ReadChunk(other, prefix, new ChatTextChunkShape())));
        Assert.Equal("""{"id":"chatcmpl-XyZ",""".Length, prefix.LengthIn(other));
    }

    [Fact]
    public void ChunkStartingWithAReadMember_LeavesNothingToRemember()
    {
        var prefix = new ChatChunkPrefix();
        var chunk = Encoding.UTF8.GetBytes("""{"choices":[],"id":"chatcmpl-AbC"}""");

        ChatReader.ReadChunk(chunk, prefix, new ChatTextChunkShape());

        Assert.Equal(0, prefix.LengthIn(chunk));
    }

    /// <summary>JSON written with single quotes, so a member name can open a one-line literal.</summary>
    private static string Json(string singleQuoted) => singleQuoted.Replace('\'', '"');

    private static ChatChunkPrefix Primed()
    {
        var prefix = new ChatChunkPrefix();
        Assert.NotNull(ChatReader.ReadChunk(Encoding.UTF8.GetBytes(Prefix + Json("'choices':[]}")), prefix, new ChatTextChunkShape()));
        return prefix;
    }

    internal static string ReadWhole(byte[] chunk) => Describe(ChatReader.ReadChunk(chunk, new ChatChunkPrefix(), new ChatTextChunkShape()));

    internal static string Describe(ChatChunk? chunk) =>
        chunk is null ? "unreadable" : JsonSerializer.Serialize(chunk, AnthropicChatJsonContext.Default.ChatChunk);
}
