using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A tool's schema is passed on as the slice of the body the client wrote (<see cref="RawJsonValue"/>), never held as a
/// node tree: whatever it holds reaches the other protocol as the same JSON, byte for byte, and a tool without one gets
/// the empty object schema.
/// </summary>
public sealed class ToolSchemaTests
{
    // Escaped and non-ASCII names and strings, numbers of every form, literals, nesting, empty containers.
    private const string Schema = """
        {"type":"object","properties":{"na\u006de":{"type":"string","description":"a \"quoted\"\nline, été 😀 \ud83d\ude00","enum":["a","b\\c"]},"größe":{"type":"number","minimum":-1.5e-3,"maximum":12345678901234567890,"default":0},"flags":{"type":"array","items":{"type":"boolean"},"default":[true,false,null],"examples":[[],{}]}},"required":["name"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData(Schema)]
    [InlineData("""{}""")]
    [InlineData("""true""")]
    [InlineData("""["not","an","object"]""")]
    public void AnthropicInputSchema_ReachesChatAsTheSameJson(string schema)
    {
        var request = $$$"""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"run","input_schema":{{{schema}}}}]}""";

        var chat = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(schema), chat["tools"]![0]!["function"]!["parameters"]), chat.ToJsonString());
    }

    [Theory]
    [InlineData(Schema)]
    [InlineData("""{"type":"object"}""")]
    public void ChatParameters_ReachAnthropicAsTheSameJson(string schema)
    {
        var request = $$$$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"run","parameters":{{{{schema}}}}}}]}""";

        var anthropic = JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(schema), anthropic["tools"]![0]!["input_schema"]), anthropic.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":"run"}""")]
    [InlineData("""{"name":"run","input_schema":null}""")]
    public void ToolWithoutSchema_GetsTheEmptyObjectSchema(string tool)
    {
        var request = $$$"""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{{{tool}}}]}""";

        var chat = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"object","properties":{}}"""), chat["tools"]![0]!["function"]!["parameters"]));
    }

    [Fact]
    public void NullInASchemasArray_Passes_ButNotInTheArraysAfterIt()
    {
        const string tools = "\"tools\":[{\"name\":\"a\",\"input_schema\":{\"enum\":[\"x\",null]}}]";

        AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes($$"""{"model":"m","max_tokens":8,{{tools}},"messages":[{"role":"user","content":"hi"}]}"""), Ctx);
        var error = Assert.Throws<TranslationException>(
            () => AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes($$"""{"model":"m","max_tokens":8,{{tools}},"messages":[null]}"""), Ctx));

        Assert.Contains("null where an array item belongs", error.Message);
    }

    [Fact]
    public void Schema_IsPassedOnByteForByte()
    {
        const string schema = """{ "type" : "object", "properties" : { "na\u006de" : { "type" : "string", "enum" : [ "x" , "\u00e9" ] } } }""";
        var request = $$$"""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"run","input_schema":{{{schema}}}}]}""";

        var chat = Encoding.UTF8.GetString(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray());

        Assert.Contains("\"parameters\":" + schema, chat);
    }

    [Fact]
    public void NameRepeatedInASchema_IsTheSchemasBusiness_ButNotOutsideIt()
    {
        const string tool = "{\"name\":\"a\",\"input_schema\":{\"type\":\"object\",\"type\":\"object\"}}";

        AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes($$"""{"model":"m","max_tokens":8,"tools":[{{tool}}],"messages":[{"role":"user","content":"hi"}]}"""), Ctx);
        var error = Assert.Throws<TranslationException>(
            () => AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes($$"""{"model":"m","max_tokens":8,"tools":[{{tool}}],"messages":[{"role":"user","role":"user","content":"hi"}]}"""), Ctx));

        Assert.Contains("Duplicate property 'role'", error.Message);
    }
}
