using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A tool's description is passed on as the client wrote it (<see cref="RawJsonString"/>), never decoded: it must reach
/// the other protocol as the same text whatever it holds, and a description that is not a string is refused as before.
/// </summary>
public sealed class ToolDescriptionTests
{
    // Escapes of every kind, an escaped and an unescaped non-ASCII letter, an emoji (a surrogate pair when escaped).
    private const string WrittenDescription = """Runs a \"command\".\nUse \\ for paths, \u00e9t\u00e9 or été, \t tabs, \/slashes\/ and 😀 \ud83d\ude00.""";

    [Fact]
    public void AnthropicToolDescription_ReachesChatAsTheSameText()
    {
        var request = $$$$"""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"run","description":"{{{{WrittenDescription}}}}","input_schema":{"type":"object"}}]}""";

        var chat = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.Equal(Decoded(), chat["tools"]![0]!["function"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void ChatFunctionDescription_ReachesAnthropicAsTheSameText()
    {
        var request = $$$$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"run","description":"{{{{WrittenDescription}}}}","parameters":{"type":"object"}}}]}""";

        var anthropic = JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.Equal(Decoded(), anthropic["tools"]![0]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void MissingOrNullDescription_IsLeftOut()
    {
        const string request = """{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"a","input_schema":{}},{"name":"b","description":null,"input_schema":{}}]}""";

        var tools = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!["tools"]!.AsArray();

        Assert.All(tools, tool => Assert.False(tool!["function"]!.AsObject().ContainsKey("description")));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("""{"text":"run"}""")]
    [InlineData("""["run"]""")]
    public void DescriptionThatIsNotAString_IsRefused(string description)
    {
        var request = $$$$"""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"run","description":{{{{description}}}},"input_schema":{}}]}""";

        Assert.Throws<TranslationException>(() => AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx));
    }

    private static string Decoded() => JsonNode.Parse($"\"{WrittenDescription}\"")!.GetValue<string>();
}
