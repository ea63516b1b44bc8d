using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>Runs the Anthropic ⇄ Chat translators over fixtures and compares JSON documents and SSE streams by value.</summary>
internal static class AnthropicChatHarness
{
    public const string Folder = "translation/anthropic-chat";

    public static TranslationContext Ctx { get; } = new("msg_keyway_0001", 1764000000, "client-alias", "upstream-model");

    /// <summary>The context the gateway gives a request bound for OpenAI's o3 (see <c>UpstreamEndpoint.TakesMaxCompletionTokens</c>).</summary>
    public static TranslationContext ReasoningModelCtx { get; } = Ctx with { UpstreamModel = "o3", ChatMaxCompletionTokens = true, ChatFixedSampling = true };

    public static byte[] Json(string fixture) =>
        ProtocolFixtures.Json(fixture.Contains('/', StringComparison.Ordinal) ? fixture : $"{Folder}/{fixture}");

    public static byte[] Sse(string fixture) =>
        ProtocolFixtures.Sse(fixture.Contains('/', StringComparison.Ordinal) ? fixture : $"{Folder}/{fixture}");

    /// <summary>The TranslatedRequest a response translator gets: the request fixture run through its translator.</summary>
    public static TranslatedRequest RequestFrom(string requestFixture) => requestFixture.StartsWith("anthropic", StringComparison.Ordinal)
        ? AnthropicRequestToChat.Translate(Json(requestFixture), Ctx)
        : ChatRequestToAnthropic.Translate(Json(requestFixture), Ctx);

    /// <summary>Feeds every event of an SSE stream to the translator, then completes it; returns what it wrote.</summary>
    public static byte[] RunStream(IStreamTranslator translator, byte[] upstream, bool complete = true)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in ProtocolFixtures.Events(upstream))
        {
            translator.OnEvent(e, output);
        }

        if (complete)
        {
            translator.Complete(output);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>An SSE stream as (event name, JSON data or the raw text when it is not JSON) pairs, for comparison.</summary>
    public static List<(string Name, JsonNode? Data)> ParseSse(byte[] stream) =>
        [.. ProtocolFixtures.Events(stream).Where(e => e.HasData).Select(e => (Encoding.UTF8.GetString(e.EventName), ParseData(e.Data.Span)))];

    public static void AssertJsonEqual(byte[] expected, byte[] actual) =>
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)),
            $"expected:\n{Encoding.UTF8.GetString(expected)}\nactual:\n{Encoding.UTF8.GetString(actual)}");

    public static void AssertSseEqual(byte[] expected, byte[] actual)
    {
        var want = ParseSse(expected);
        var got = ParseSse(actual);
        var message = $"actual stream:\n{Encoding.UTF8.GetString(actual)}";
        Assert.True(want.Count == got.Count, message);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.True(want[i].Name == got[i].Name && JsonNode.DeepEquals(want[i].Data, got[i].Data), $"event {i} differs; {message}");
        }
    }

    private static JsonNode? ParseData(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(data));
        }
    }
}
