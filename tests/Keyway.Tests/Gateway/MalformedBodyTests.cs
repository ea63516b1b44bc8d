using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A malformed body gets a 400 in the caller's protocol whose message names the field at fault and the JSON kind it
/// must have, in the protocol's terms: never a .NET type or a JSON reader's word, on pass-through and translated routes
/// alike. gpt-alias is an OpenAI Chat upstream, claude-alias an Anthropic one.
/// </summary>
public sealed class MalformedBodyTests(MalformedBodyTests.Bed bed) : IClassFixture<MalformedBodyTests.Bed>
{
    private const string Gpt = GatewayTestBed.OpenAIAlias;
    private const string Claude = GatewayTestBed.AnthropicAlias;
    private const string AnthropicBody = "The Anthropic request body is not valid: ";
    private const string ChatBody = "The chat completions request body is not valid: ";
    private const string NotAString = "'model' must be a string naming one of your route aliases.";

    private static readonly string[] Leaks =
    [
        "System.", "Keyway.", "StartObject", "StartArray", "EndObject", "EndArray", "TokenType", "LineNumber", "BytePosition", "Path: $",
        "could not be converted", "`1",
    ];

    public static TheoryData<string, string, string?> Bodies => new()
    {
        // the model's type, on every endpoint and both kinds of route
        { "v1/chat/completions", """{"model":5,"messages":[]}""", NotAString },
        { "v1/messages", """{"model":["claude-alias"],"max_tokens":8,"messages":[]}""", NotAString },
        { "v1/responses", """{"model":{"name":"gpt-alias"},"input":"hi"}""", NotAString },
        { "v1/messages/count_tokens", """{"model":true,"messages":[]}""", NotAString },
        { "v1/chat/completions", """{"model":null,"messages":[]}""", "Missing 'model': a string naming one of your route aliases is required." },

        // Anthropic Messages on a Chat upstream
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":"hi"}""", AnthropicBody + "messages: expected an array, not a string." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":{"role":"user","content":"hi"}}""", AnthropicBody + "messages: expected an array, not an object." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":["hi"]}""", AnthropicBody + "messages[0]: expected an object, not a string." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[null]}""", AnthropicBody + "messages[0]: a null where an array item belongs." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[{"role":"user","content":42}]}""", AnthropicBody + "messages[0].content: expected a string or an array of content blocks, not a number." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[{"role":5,"content":"hi"}]}""", AnthropicBody + "messages[0].role: expected a string, not a number." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":"8","messages":[]}""", AnthropicBody + "max_tokens: expected an integer, not a string." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8.5,"messages":[]}""", AnthropicBody + "max_tokens: expected an integer, not 8.5." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", AnthropicBody + "messages[0].content[0].text: expected a string, not a number." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"tools":{}}""", AnthropicBody + "tools: expected an array, not an object." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"system":7}""", AnthropicBody + "system: expected a string or an array of content blocks, not a number." },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"stop_sequences":"x"}""", null },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"temperature":"warm"}""", null },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"tool_choice":"auto"}""", null },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"thinking":[]}""", null },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[],"metadata":"m"}""", null },
        { "v1/messages", $$$"""{"model":"{{{Gpt}}}","max_tokens":8,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":5}]}]}""", null },

        // Chat Completions on an Anthropic upstream
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":"hi"}""", ChatBody + "messages: expected an array, not a string." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[{"role":"user","content":"hi","tool_calls":{}}]}""", ChatBody + "messages[0].tool_calls: expected an array, not an object." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[],"temperature":"hot"}""", ChatBody + "temperature: expected a number, not a string." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[],"stream":"yes"}""", ChatBody + "stream: expected true or false, not a string." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[],"tools":[{"type":"function","function":"f"}]}""", ChatBody + "tools[0].function: expected an object, not a string." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[{"role":"user","content":"hi"}],"max_tokens":{}}""", ChatBody + "max_tokens: expected an integer, not an object." },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":"y"}}""", null },
        { "v1/chat/completions", """{"model":"claude-alias","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]}]}""", null },
        { "v1/chat/completions", $$$"""{"model":"{{{Claude}}}","messages":[{"role":"user","content":[5]}]}""", null },

        // Responses on either upstream (translated to Chat, then on to Anthropic for claude-alias)
        { "v1/responses", $$$"""{"model":"{{{Gpt}}}","input":5}""", "input must be a string or an array of input items." },
        { "v1/responses", $$$"""{"model":"{{{Claude}}}","input":[5]}""", "Every input item must be a JSON object." },
        { "v1/responses", $$$"""{"model":"{{{Claude}}}","input":"hi","max_output_tokens":"x"}""", "max_output_tokens must be a positive integer." },
        { "v1/responses", $$$"""{"model":"{{{Claude}}}","input":"hi","temperature":"hot"}""", "The chat completions request body is not valid: temperature: expected a number, not a string." },
        { "v1/responses", $$$"""{"model":"{{{Claude}}}","input":"hi","tools":{}}""", "tools must be an array of tools." },
        { "v1/responses", $$$"""{"model":"{{{Claude}}}","input":[{"role":"user","content":5}]}""", "input[].content must be a string or an array of content parts." },

        // count_tokens, estimated for a Chat upstream
        { "v1/messages/count_tokens", $$$"""{"model":"{{{Gpt}}}","messages":"hi"}""", "messages: Input should be a valid list" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task MalformedBody_Is400_InTheCallersProtocol_NamingTheField(string path, string body, string? message)
    {
        using var response = await bed.Test.PostAsync(path, body);

        Assert.Equal(400, (int)response.StatusCode);
        var error = ErrorMessage(path, await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.DoesNotContain(Leaks, leak => error.Contains(leak, StringComparison.Ordinal));
        if (message is not null)
        {
            Assert.Equal(message, error);
        }
    }

    /// <summary>The message of an Anthropic error (<c>{"type":"error","error":{…}}</c>) or an OpenAI one (<c>{"error":{…}}</c>).</summary>
    private static string ErrorMessage(string path, JsonElement body)
    {
        if (path.StartsWith("v1/messages", StringComparison.Ordinal))
        {
            Assert.Equal("error", body.GetProperty("type").GetString());
            Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        }
        else
        {
            Assert.False(body.TryGetProperty("type", out _));
            Assert.Equal(JsonValueKind.String, body.GetProperty("error").GetProperty("type").ValueKind);
        }
        return body.GetProperty("error").GetProperty("message").GetString()!;
    }

    /// <summary>One gateway for the whole theory: every case is refused before the upstream, so none sees another.</summary>
    public sealed class Bed : IAsyncLifetime
    {
        public GatewayTestBed Test { get; private set; } = null!;

        public async Task InitializeAsync() => Test = await GatewayTestBed.StartAsync();

        public async Task DisposeAsync() => await Test.DisposeAsync();
    }
}
