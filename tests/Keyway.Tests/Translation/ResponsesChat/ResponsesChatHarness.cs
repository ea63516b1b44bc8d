using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>Fixture access and comparison for the Responses ⇄ Chat translator tests.</summary>
internal static class ResponsesChatHarness
{
    private const string Folder = "translation/responses-chat/";

    public static TranslationContext Context { get; } = new("resp_67ccd2bed1ec8190", 1741476542, "codex-fast", "deepseek-chat");

    public static byte[] Json(string name) => ProtocolFixtures.Json(Folder + name);

    public static byte[] Sse(string name) => ProtocolFixtures.Sse(Folder + name);

    /// <summary>The translated Codex fixture request: its tool map knows apply_patch is a custom tool.</summary>
    public static TranslatedRequest CodexRequest() => ResponsesRequestToChat.Translate(Json("codex.request.json"), Context);

    /// <summary>Runs a whole chat SSE stream through the translator; <paramref name="complete"/> false ends it with Fail.</summary>
    public static string RunStream(byte[] chatStream, TranslatedRequest request, bool complete = true, string? failure = null)
    {
        var translator = new ChatStreamToResponses(request, Context);
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in ProtocolFixtures.Events(chatStream))
        {
            translator.OnEvent(e, output);
        }

        if (failure is not null)
        {
            translator.Fail(ProtocolErrors.BadGateway, failure, output);
        }
        else if (complete)
        {
            translator.Complete(output);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The events of a Responses stream: name, parsed data. Comment lines are skipped.</summary>
    public static List<(string Name, JsonNode Data)> ParseEvents(string sse) =>
        ProtocolFixtures.Events(Encoding.UTF8.GetBytes(sse))
            .Where(e => e.HasData)
            .Select(e => (Encoding.UTF8.GetString(e.EventName), JsonNode.Parse(e.Data.Span)!))
            .ToList();

    public static void AssertJsonEqual(byte[] expected, byte[] actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        var actualNode = JsonNode.Parse(actual);
        Assert.True(
            JsonNode.DeepEquals(expectedNode, actualNode),
            $"Expected:\n{expectedNode?.ToJsonString()}\nActual:\n{actualNode?.ToJsonString()}");
    }

    public static void AssertEventsEqual(string expectedSse, string actualSse)
    {
        var expected = ParseEvents(expectedSse);
        var actual = ParseEvents(actualSse);
        Assert.Equal(expected.Select(e => e.Name), actual.Select(e => e.Name));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(
                JsonNode.DeepEquals(expected[i].Data, actual[i].Data),
                $"Event {i} ({expected[i].Name}) differs.\nExpected:\n{expected[i].Data.ToJsonString()}\nActual:\n{actual[i].Data.ToJsonString()}");
        }
    }

    /// <summary>The response object carried by the stream's last event (response.completed or response.failed).</summary>
    public static JsonNode FinalResponse(string sse) => ParseEvents(sse)[^1].Data["response"]!;
}
