using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>A stored turn, and a request continuing from it, against the fixtures (their first lines cite the references).</summary>
public sealed class ResponsesConversationTests
{
    [Fact]
    public void Continued_PutsTheStoredTurnBeforeTheInput_AndLeavesThePreviousIdOut()
    {
        var turn = Encoding.UTF8.GetString(Json("conversation.turn.json"));

        AssertJsonEqual(Json("conversation.continued.json"), ResponsesConversation.Continued(Json("conversation.request.json"), [turn]));
    }

    [Fact]
    public void Turn_IsTheInputWithIds_AndTheResponse()
    {
        var stored = JsonNode.Parse(Json("conversation.turn.json"))!;
        var inputItems = ResponsesConversation.InputItems(Encoding.UTF8.GetBytes("""{"model":"codex-fast","input":"Ahoy — what is 2 + 2?"}"""));

        AssertJsonEqual(Json("conversation.turn.json"), ResponsesConversation.Turn(inputItems, Encoding.UTF8.GetBytes(stored["response"]!.ToJsonString())));
    }
}
