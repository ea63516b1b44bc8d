using System.Text.Json.Nodes;
using Keyway.Tools;

namespace Keyway.Tests.Tools;

/// <summary>
/// The web-search loop echoes a Chat round's assistant message to the upstream for its next round: its reasoning must go
/// back under the member the vendor sent it in, or the model loses its chain of thought between the search rounds.
/// </summary>
public sealed class ChatRoundReaderTests
{
    [Fact]
    public void DeepSeeksReasoningContent_IsEchoedJoined()
    {
        var round = Read("""{"reasoning_content":"Look "}""", """{"reasoning_content":"it up."}""");

        Assert.Equal("Look it up.", round["reasoning_content"]!.GetValue<string>());
    }

    // MiniMax with reasoning_split streams its thinking as delta.reasoning_details and asks for it back whole in the
    // next request (https://platform.minimax.io/docs/api-reference/text-openai-api).
    [Fact]
    public void MiniMaxsReasoningDetails_AreEchoedAsOneReasoningTextDetail()
    {
        var round = Read(
            """{"reasoning_details":[{"type":"reasoning.text","id":"r1","index":0,"text":"Search "}]}""",
            """{"reasoning_details":[{"type":"reasoning.text","id":"r1","index":0,"text":"the web."}]}""",
            """{"content":"Done."}""");

        var details = Assert.IsType<JsonArray>(round["reasoning_details"]);
        var detail = Assert.Single(details)!;
        Assert.Equal("reasoning.text", detail["type"]!.GetValue<string>());
        Assert.Equal("Search the web.", detail["text"]!.GetValue<string>());
        Assert.Equal("Done.", round["content"]!.GetValue<string>());
    }

    [Fact]
    public void ARoundWithoutReasoning_HasNoReasoningMember()
    {
        var round = Read("""{"content":"Hi."}""");

        Assert.False(round.ContainsKey("reasoning_details"));
        Assert.False(round.ContainsKey("reasoning_content"));
    }

    /// <summary>The echoed assistant message of a round streamed as these deltas.</summary>
    private static JsonObject Read(params string[] deltas)
    {
        var reader = new ChatRoundReader();
        foreach (var delta in deltas)
        {
            reader.Observe(new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = JsonNode.Parse(delta) }) }, "message"u8);
        }
        return reader.Answer()["choices"]![0]!["message"]!.AsObject();
    }
}
