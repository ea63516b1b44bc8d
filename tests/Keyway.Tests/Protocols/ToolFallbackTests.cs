using System.Text;
using Keyway.Protocols;
using Keyway.Protocols.Translation;

namespace Keyway.Tests.Protocols;

/// <summary>
/// The tool-schema fallback's pure parts. Tool shapes from https://platform.openai.com/docs/api-reference/chat/create
/// (function tools), https://platform.openai.com/docs/api-reference/responses/create (web_search_preview) and
/// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool (web_search_20250305).
/// </summary>
public sealed class ToolFallbackTests
{
    [Theory]
    [InlineData("""{"error":{"message":"Unsupported tool type: web_search_preview","type":"invalid_request_error","param":null}}""", true)]
    [InlineData("""{"error":{"message":"Invalid value","type":"invalid_request_error","param":"tools[0].type"}}""", true)]
    [InlineData("""{"error":{"message":"Invalid schema for function 'f': 'format' is not supported"}}""", true)]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"tools.0: Input tag 'web_search_20250305' found"}}""", true)]
    [InlineData("""{"error":"unknown tool type"}""", true)]
    [InlineData("""{"error":{"message":"The model `x` does not exist","param":"model"}}""", false)]
    [InlineData("upstream tool proxy said no", false)]
    public void IsToolError_UsesTheErrorsMessageAndParam(string body, bool expected) =>
        Assert.Equal(expected, ToolFallback.IsToolError(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Strip_Chat_DropsNonFunctionTools_AndKeywordsButNotPropertiesNamedLikeThem()
    {
        var body = """{"model":"m","tools":[{"type":"web_search_preview"},{"type":"function","function":{"name":"f","parameters":{"type":"object","$schema":"x","additionalProperties":false,"properties":{"format":{"type":"string","format":"date"},"xs":{"type":"array","items":{"type":"object","additionalProperties":false}}}}}}],"tool_choice":"auto","messages":[]}""";

        var stripped = ToolFallback.Strip(Encoding.UTF8.GetBytes(body), WireFormat.OpenAIChat)!;

        Assert.Equal(
            """{"model":"m","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"format":{"type":"string"},"xs":{"type":"array","items":{"type":"object"}}}}}}],"tool_choice":"auto","messages":[]}""",
            Encoding.UTF8.GetString(stripped.Body));
        Assert.Equal("tools: web_search_preview; schema keywords: $schema, additionalProperties, format", stripped.Removed);
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"web_search_preview"}],"tool_choice":{"type":"web_search_preview"},"input":"hi"}""", """{"input":"hi"}""")]
    [InlineData("""{"input":"hi", "tools":[{"type":"file_search"}] , "tool_choice":"required"}""", """{"input":"hi"}""")]
    [InlineData("""{"input":"hi","tools":[{"type":"computer_use_preview"},{"type":"function","name":"f"}],"tool_choice":{"type":"computer_use_preview"}}""",
        """{"input":"hi","tools":[{"type":"function","name":"f"}]}""")]
    public void Strip_Responses_RemovesEmptiedToolsAndAChoiceOfARemovedTool(string body, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(ToolFallback.Strip(Encoding.UTF8.GetBytes(body), WireFormat.OpenAIResponses)!.Body));

    [Fact]
    public void Strip_Anthropic_KeepsClientTools_AndDropsServerTools()
    {
        var body = """{"tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"get","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"web_search"},"max_tokens":9}""";

        var stripped = ToolFallback.Strip(Encoding.UTF8.GetBytes(body), WireFormat.AnthropicMessages)!;

        Assert.Equal("""{"tools":[{"name":"get","input_schema":{"type":"object"}}],"max_tokens":9}""", Encoding.UTF8.GetString(stripped.Body));
        Assert.Equal("tools: web_search_20250305", stripped.Removed);
    }

    [Theory]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""{"tools":null}""")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""")]
    public void Strip_WithNothingToRemove_ReturnsNull(string body) =>
        Assert.Null(ToolFallback.Strip(Encoding.UTF8.GetBytes(body), WireFormat.OpenAIChat));
}
