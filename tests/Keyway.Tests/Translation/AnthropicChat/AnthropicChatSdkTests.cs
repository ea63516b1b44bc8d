using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Anthropic;
using Anthropic.Helpers;
using Anthropic.Models.Messages;
using Keyway.Protocols.Translation.AnthropicChat;
using OpenAI;
using OpenAI.Chat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// The official SDKs parse what the translators produce: a canned HttpMessageHandler answers with the translated
/// bytes (no socket is opened), the Anthropic SDK with ResponseValidation on.
/// </summary>
public sealed class AnthropicChatSdkTests
{
    [Fact]
    public async Task AnthropicSdk_AggregatesTheTranslatedChatStream()
    {
        var request = RequestFrom("anthropic_request_agent_turn.json");
        var sse = RunStream(new ChatStreamToAnthropic(request, Ctx), Sse("chat_stream_reasoning_parallel_interleaved.sse"));

        var message = await AnthropicClientAnswering(sse, "text/event-stream").Messages.CreateStreaming(AnthropicParams()).Aggregate();

        Assert.Equal("tool_use", message.StopReason?.Raw());
        Assert.True(message.Content[0].TryPickThinking(out var thinking));
        Assert.Equal("Deux villes — deux appels.", thinking.Thinking);
        Assert.True(message.Content[1].TryPickText(out var text));
        Assert.Equal("Je regarde \"Zürich\" et Genève.", text.Text);
        var tools = message.Content.Skip(2).Select(b => b.TryPickToolUse(out var t) ? t : null).ToList();
        Assert.Equal(["call_A", "call_B", "call_C"], tools.Select(t => t!.ID));
        Assert.Equal("Zürich", tools[0]!.Input["city"].GetString());
        Assert.Equal("Genève", tools[1]!.Input["city"].GetString());
        Assert.Equal(80, message.Usage.OutputTokens);
        Assert.Equal(256, message.Usage.CacheReadInputTokens);
    }

    [Fact]
    public async Task AnthropicSdk_ValidatesTheTranslatedChatCompletion()
    {
        var request = RequestFrom("anthropic_request_agent_turn.json");
        var body = ChatResponseToAnthropic.Translate(Json("chat_response_reasoning_tool_calls.json"), request, Ctx);

        var message = await AnthropicClientAnswering(body, "application/json").Messages.Create(AnthropicParams());

        Assert.Equal(Ctx.ResponseId, message.ID);
        Assert.Equal(4, message.Content.Count);
        Assert.True(message.Content[3].TryPickToolUse(out var renamed));
        Assert.Equal("mcp__weather_service_with_a_really_long_server_name__get_forecast_for_tomorrow", renamed.Name);
        Assert.Equal(93, message.Usage.InputTokens);
    }

    [Fact]
    public async Task OpenAISdk_ReadsTheTranslatedAnthropicStream()
    {
        var request = RequestFrom("chat_request_agent_turn.json");
        var sse = RunStream(new AnthropicStreamToChat(request, Ctx), Sse("anthropic/messages_stream_thinking_tool_use.sse"));
        var text = new StringBuilder();
        var arguments = new StringBuilder();
        string? toolName = null;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in OpenAIClientAnswering(sse, "text/event-stream").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            foreach (var call in update.ToolCallUpdates)
            {
                toolName ??= call.FunctionName;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Je vérifie ☁️ — un instant.\n", text.ToString());
        Assert.Equal("get_weather", toolName);
        Assert.Equal("{\"location\": \"Zürich, CH\", \"unit\": \"celsius\"}", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(89, usage!.OutputTokenCount);
        Assert.Equal(3400, usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task OpenAISdk_ReadsTheTranslatedAnthropicMessage()
    {
        var request = RequestFrom("chat_request_agent_turn.json");
        var body = AnthropicResponseToChat.Translate(Json("anthropic_response_thinking_tool_use.json"), request, Ctx);

        ChatCompletion completion = await OpenAIClientAnswering(body, "application/json").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal("Je vérifie — \"un instant\".", completion.Content.Single().Text);
        Assert.Equal("get_weather", completion.ToolCalls.Single().FunctionName);
        Assert.Equal(3972, completion.Usage.InputTokenCount);
    }

    private static MessageCreateParams AnthropicParams() => new()
    {
        Model = Ctx.ClientModel,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = "hi" }],
    };

    private static AnthropicClient AnthropicClientAnswering(byte[] body, string contentType) => new()
    {
        ApiKey = "sk-ant-test",
        BaseUrl = "http://127.0.0.1",
        MaxRetries = 0,
        ResponseValidation = true,
        HttpClient = new HttpClient(new CannedHandler(body, contentType)),
    };

    private static ChatClient OpenAIClientAnswering(byte[] body, string contentType) => new(
        Ctx.ClientModel,
        new ApiKeyCredential("sk-test"),
        new OpenAIClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1/v1"),
            Transport = new HttpClientPipelineTransport(new HttpClient(new CannedHandler(body, contentType))),
        });

    /// <summary>Answers every request with the same body; never touches the network.</summary>
    private sealed class CannedHandler(byte[] body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
