using System.Text;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>
/// A Chat upstream sends a token that ends mid-character (part of an emoji's UTF-8 bytes) as a chunk whose
/// <c>delta.content</c> is "" and whose <c>logprobs.content</c> holds the token
/// (https://platform.openai.com/docs/api-reference/chat-streaming/streaming: choices[].logprobs.content[].bytes "useful
/// in instances where characters are represented by multiple tokens"). Its token still belongs to the text:
/// the <c>output_text</c>'s <c>logprobs</c> (https://platform.openai.com/docs/api-reference/responses/object, output_text
/// → logprobs) keep every token, in the upstream's order.
/// </summary>
public sealed class ChatStreamToResponsesLogprobsTests
{
    [Fact]
    public void TokensOfChunksWithoutText_StayOnTheOutputText_InOrder()
    {
        var stream = Chunk("", "bytes:\\\\xf0\\\\x9f", [240, 159]) + Chunk("☃", "bytes:\\\\x98\\\\x83", [152, 131]) + Chunk(" ok", " ok", [32, 111, 107])
            + Chunk("", "bytes:\\\\xe2", [226]) + Chunk("…", "bytes:\\\\x80\\\\xa6", [128, 166])
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        var request = ResponsesRequestToChat.Translate(
            Encoding.UTF8.GetBytes("""{"model":"codex-fast","input":"hi","stream":true,"include":["message.output_text.logprobs"]}"""), Context);

        var events = ParseEvents(RunStream(Encoding.UTF8.GetBytes(stream), request));

        var tokens = events[^1].Data["response"]!["output"]![0]!["content"]![0]!["logprobs"]!.AsArray().Select(token => token!["token"]!.GetValue<string>());
        Assert.Equal(["bytes:\\xf0\\x9f", "bytes:\\x98\\x83", " ok", "bytes:\\xe2", "bytes:\\x80\\xa6"], tokens);
        var deltaTokens = events.Where(e => e.Name == "response.output_text.delta")
            .SelectMany(e => e.Data["logprobs"]!.AsArray().Select(token => token!["token"]!.GetValue<string>()));
        Assert.Equal(tokens, deltaTokens);
    }

    private static string Chunk(string content, string token, int[] bytes) =>
        $$$"""data: {"choices":[{"index":0,"delta":{"content":"{{{content}}}"},"logprobs":{"content":[{"token":"{{{token}}}","logprob":-0.5,"bytes":[{{{string.Join(",", bytes)}}}],"top_logprobs":[]}]}}]}""" + "\n\n";
}
