using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Message, system, thinking and tool-result texts cross between the protocols as the client wrote them
/// (<see cref="RawJsonString"/>), joined by joining their escaped bytes (<see cref="RawTextJoiner"/>): whatever a text
/// holds, the other side must read the same characters as if it had been decoded, joined and encoded again.
/// </summary>
public sealed class RawTextTests
{
    // Escapes of every kind, an escaped and an unescaped non-ASCII letter, an emoji (a surrogate pair when escaped).
    private const string A = """say \"hi\"\nthen \\ \u00e9t\u00e9 été\t\/ 😀 \ud83d\ude00""";
    private const string B = """second \u0022part\u0022 \r\n end\\""";

    [Fact]
    public void SystemBlocksAndSystemTurns_JoinAsTheirDecodedTexts()
    {
        var chat = Translate($$$"""{"system":[{"type":"text","text":"{{{A}}}"},{"type":"text","text":"{{{B}}}"}],"messages":[{"role":"system","content":"{{{A}}}"},{"role":"user","content":"u"}]}""");

        Assert.Equal($"{Decoded(A)}\n\n{Decoded(B)}\n\n{Decoded(A)}", Message(chat, 0)["content"]!.GetValue<string>());
    }

    [Fact]
    public void UserAndAssistantTexts_AndThinking_JoinAsTheirDecodedTexts()
    {
        var chat = Translate($$$"""
            {"thinking":{"type":"enabled","budget_tokens":2048},"messages":[
             {"role":"user","content":[{"type":"text","text":"{{{A}}}"},{"type":"text","text":""},{"type":"text","text":"{{{B}}}"}]},
             {"role":"assistant","content":[{"type":"thinking","thinking":"{{{B}}}","signature":"s"},{"type":"thinking","thinking":"{{{A}}}","signature":"s"},{"type":"text","text":"{{{A}}}"},{"type":"text","text":"{{{B}}}"},{"type":"tool_use","id":"toolu_1","name":"t","input":{}}]},
             {"role":"user","content":"{{{B}}}"}]}
            """);

        Assert.Equal($"{Decoded(A)}\n{Decoded(B)}", Message(chat, 0)["content"]!.GetValue<string>());
        Assert.Equal($"{Decoded(A)}\n{Decoded(B)}", Message(chat, 1)["content"]!.GetValue<string>());
        Assert.Equal(Decoded(B) + Decoded(A), Message(chat, 1)["reasoning_content"]!.GetValue<string>());
        Assert.Equal(Decoded(B), Message(chat, 2)["content"]!.GetValue<string>());
    }

    [Fact]
    public void ToolResults_KeepTheirTexts_WithTheErrorPrefixAndTheEmptyPlaceholder()
    {
        var chat = Translate($$$"""
            {"messages":[
             {"role":"user","content":"u"},
             {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"run","input":{}},{"type":"tool_use","id":"t2","name":"run","input":{}},{"type":"tool_use","id":"t3","name":"run","input":{}}]},
             {"role":"user","content":[
              {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"{{{A}}}"},{"type":"text","text":"{{{B}}}"}]},
              {"type":"tool_result","tool_use_id":"t2","is_error":true,"content":"{{{A}}}"},
              {"type":"tool_result","tool_use_id":"t3","is_error":true,"content":[]}]}]}
            """);

        Assert.Equal($"{Decoded(A)}\n{Decoded(B)}", Message(chat, 2)["content"]!.GetValue<string>());
        Assert.Equal(AnthropicMessagesToChat.ToolErrorPrefix + Decoded(A), Message(chat, 3)["content"]!.GetValue<string>());
        Assert.Equal(AnthropicMessagesToChat.ToolErrorPrefix + AnthropicMessagesToChat.EmptyToolResult, Message(chat, 4)["content"]!.GetValue<string>());
    }

    [Fact]
    public void TextBesideAnImage_IsATextPartWithItsDecodedText()
    {
        var chat = Translate($$$"""{"messages":[{"role":"user","content":[{"type":"text","text":"{{{A}}}"},{"type":"image","source":{"type":"url","url":"https://example.test/a.png"}},{"type":"text","text":""}]}]}""");

        var parts = Message(chat, 0)["content"]!.AsArray();
        Assert.Equal(2, parts.Count);
        Assert.Equal(Decoded(A), parts[0]!["text"]!.GetValue<string>());
        Assert.Equal("https://example.test/a.png", parts[1]!["image_url"]!["url"]!.GetValue<string>());
    }

    /// <summary>
    /// A base64 image of several MB becomes the data URL of the same bytes, whatever escapes the client wrote in its data
    /// (<c>\/</c> for <c>/</c> is valid JSON): it is joined as written, not decoded and encoded again.
    /// </summary>
    [Fact]
    public void ALargeBase64Image_IsTheDataUrlOfTheSameBytes()
    {
        var image = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(image);
        var base64 = Convert.ToBase64String(image);

        var chat = Translate($$$"""{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{base64.Replace("/", "\\/")}}}"}},{"type":"text","text":"{{{A}}}"}]}]}""");

        var parts = Message(chat, 0)["content"]!.AsArray();
        var url = parts[0]!["image_url"]!["url"]!.GetValue<string>();
        Assert.StartsWith("data:image/png;base64,", url);
        Assert.Equal(image, Convert.FromBase64String(url["data:image/png;base64,".Length..]));
        Assert.Equal(Decoded(A), parts[1]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void ChatContent_ReachesAnthropicAsTheSameText()
    {
        var request = $$$"""{"model":"m","messages":[{"role":"system","content":"{{{B}}}"},{"role":"user","content":"{{{A}}}"},{"role":"assistant","content":[{"type":"text","text":"{{{B}}}"}]},{"role":"user","content":""}]}""";

        var anthropic = JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.Equal(Decoded(B), anthropic["system"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(Decoded(A), anthropic["messages"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(Decoded(B), anthropic["messages"]![1]!["content"]![0]!["text"]!.GetValue<string>());
        // The empty user turn is dropped, so the assistant's would end the conversation: a user turn follows it.
        Assert.Equal(3, anthropic["messages"]!.AsArray().Count);
    }

    [Fact]
    public void AnthropicAnswerTexts_JoinIntoTheChatMessage()
    {
        var answer = $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"thinking","thinking":"{{{A}}}","signature":"s"},{"type":"text","text":"{{{A}}}"},{"type":"text","text":"{{{B}}}"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""";

        var chat = JsonNode.Parse(AnthropicResponseToChat.Translate(Encoding.UTF8.GetBytes(answer), RequestFrom("anthropic_request_text.json"), Ctx))!;

        var message = chat["choices"]![0]!["message"]!;
        Assert.Equal(Decoded(A) + Decoded(B), message["content"]!.GetValue<string>());
        Assert.Equal(Decoded(A), message["reasoning_content"]!.GetValue<string>());
    }

    [Fact]
    public void OneText_IsKeptWithoutACopy_AndNothingJoinsToTheEmptyString()
    {
        var text = RawJsonString.Of("only");
        var one = new RawTextJoiner(RawTextJoiner.NewLine);
        one.Add(RawJsonString.Empty);
        one.Add(text);
        one.Add(null);

        Assert.Same(text, one.Join());
        Assert.Same(RawJsonString.Empty, new RawTextJoiner(RawTextJoiner.NewLine).Join());
    }

    [Fact]
    public void Of_EscapesAsTheTranslatorsWriterDoes()
    {
        Assert.Equal("\"a\\\"b\\nc é <>\"", Encoding.UTF8.GetString(RawJsonString.Of("a\"b\nc é <>").Quoted));
        Assert.Equal("a\"b\nc é <>", JsonNode.Parse(RawJsonString.Of("a\"b\nc é <>").Quoted)!.GetValue<string>());
    }

    /// <summary>Translates <c>{"model":"m","max_tokens":64,</c> + the members given, their escapes as written here.</summary>
    private static JsonNode Translate(string members)
    {
        var request = """{"model":"m","max_tokens":64,""" + members.Trim()[1..];
        return JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;
    }

    private static JsonNode Message(JsonNode chat, int index) => chat["messages"]![index]!;

    private static string Decoded(string written) => JsonNode.Parse($"\"{written}\"")!.GetValue<string>();
}
