using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// The output limit's name on a Chat upstream: <c>max_tokens</c> for compatible vendors (DeepSeek, Qwen, GLM, Kimi,
/// MiniMax and vLLM document it), <c>max_completion_tokens</c> where the gateway says the upstream takes it (OpenAI's
/// own API, https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens).
/// </summary>
public sealed class OpenAIUpstreamLimitTests
{
    [Fact]
    public void OnOpenAIsOwnApi_TheLimitIsMaxCompletionTokens_AndSamplingStays()
    {
        var chat = Translate(Ctx with { UpstreamModel = "gpt-4.1", ChatMaxCompletionTokens = true });

        Assert.Equal(32000, (int)chat["max_completion_tokens"]!);
        Assert.False(chat.ContainsKey("max_tokens"));
        Assert.Equal(0.2, (double)chat["temperature"]!);
        Assert.Equal(0.9, (double)chat["top_p"]!);
        Assert.Equal("</réponse>", (string)chat["stop"]![0]!);
    }

    [Fact]
    public void OnACompatibleVendor_TheLimitStaysMaxTokens()
    {
        var chat = Translate(Ctx with { UpstreamModel = "deepseek-chat" });

        Assert.Equal(32000, (int)chat["max_tokens"]!);
        Assert.False(chat.ContainsKey("max_completion_tokens"));
        Assert.Equal(0.2, (double)chat["temperature"]!);
    }

    private static JsonObject Translate(Keyway.Protocols.Translation.TranslationContext context) =>
        JsonNode.Parse(AnthropicRequestToChat.Translate(Json("anthropic_request_reasoning_model.json"), context).Body.ToArray())!.AsObject();
}
