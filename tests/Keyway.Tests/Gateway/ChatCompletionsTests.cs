using System.ClientModel;
using System.Text;
using System.Text.Json;
using Keyway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Keyway.Tests.Gateway;

/// <summary>OpenAI Chat Completions through Keyway to an OpenAI-protocol upstream, with the official SDK and raw HTTP.</summary>
public sealed class ChatCompletionsTests
{
    [Fact]
    public async Task Sdk_NonStream_GetsTheUpstreamAnswer()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        ChatCompletion completion = await SdkClient(bed).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), completion.Content[0].Text);
        Assert.Equal(FakeUpstream.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal("/v1/chat/completions", bed.Upstream.Last.Path);
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", bed.Upstream.Last.Headers["authorization"]);
    }

    [Fact]
    public async Task UpstreamHeaders_AreRelayedAsSent_ExceptHopByHopAndCookies()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var headers = new Dictionary<string, string>
        {
            ["x-request-id"] = "req_123",
            ["openai-processing-ms"] = "12",
            ["x-ratelimit-reset-requests"] = "1s, 2s",
            ["set-cookie"] = "session=upstream",
            ["keep-alive"] = "timeout=5",
        };
        bed.Upstream.Enqueue(FakeReply.Status(200, """{"id":"c","object":"chat.completion","choices":[]}""", headers, "application/json; charset=utf-8"));

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(["req_123"], response.Headers.GetValues("x-request-id"));
        Assert.Equal(["12"], response.Headers.GetValues("openai-processing-ms"));
        Assert.Equal("1s, 2s", string.Join(", ", response.Headers.GetValues("x-ratelimit-reset-requests")));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.False(response.Headers.Contains("set-cookie"));
        Assert.False(response.Headers.Contains("keep-alive"));
    }

    [Fact]
    public async Task Sdk_Stream_AssemblesTheAnswer_AndTheLogHasUsage()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var text = new StringBuilder();

        await foreach (var update in SdkClient(bed).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), text.ToString());
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("stream").GetBoolean());
        Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CachedTokens, log.GetProperty("cache_read_tokens").GetInt64());
        Assert.Equal(FakeUpstream.ReasoningTokens, log.GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal(JsonValueKind.Number, log.GetProperty("ttfb_ms").ValueKind);
    }

    [Fact]
    public async Task Sdk_ToolCall_PassesThroughBothWays()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = SdkClient(bed);
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")) },
        };
        List<ChatMessage> messages = [new UserChatMessage($"{FakeUpstream.ToolTrigger} please")];

        ChatCompletion toolTurn = await client.CompleteChatAsync(messages, options);
        var call = Assert.Single(toolTurn.ToolCalls);
        messages.Add(new AssistantChatMessage(toolTurn));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21 °C"));
        ChatCompletion answer = await client.CompleteChatAsync(messages, options);

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal(FakeUpstream.ToolResultReplyText(GatewayTestBed.OpenAIModel, "sunny, 21 °C"), answer.Content[0].Text);
    }

    [Fact]
    public async Task OnlyModelIsRewritten_EveryOtherByteReachesTheUpstream()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string body = """{ "messages":[{"role":"user","content":"caf\u00e9 ✓ \"q\"","model":"nested-stays"}], "model" : "gpt-alias", "x_vendor":{"a":[1,2.50,null]},"temperature":0.3 }""";

        using var response = await bed.PostAsync("v1/chat/completions", body);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body.Replace("\"gpt-alias\"", "\"gpt-upstream-model\""), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task Stream_WithoutIncludeUsage_KeywayAsksForUsage_AndHidesTheUsageChunk()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(bed.Upstream.Last.Json.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.DoesNotContain("\"choices\":[]", events);
        Assert.EndsWith("data: [DONE]\n\n", events);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task Stream_WithIncludeUsage_TheClientSeesTheUsageChunk()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/chat/completions",
            """{"model":"gpt-alias","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"choices\":[]", events);
    }

    /// <summary>The prompt was sent and is billed: its tokens are estimated; the answer's stay unknown, not zero.</summary>
    [Fact]
    public async Task UpstreamWithoutUsage_LogsAnEstimatedInput_AndAnUnknownOutput()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.OmitUsage = true;

        using var response = await bed.PostAsync("chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.InRange(log.GetProperty("input_tokens").GetInt64(), 1, 100);
        Assert.Equal(JsonValueKind.Null, log.GetProperty("output_tokens").ValueKind);
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
    }

    private static ChatClient SdkClient(GatewayTestBed bed) =>
        new(GatewayTestBed.OpenAIAlias, new ApiKeyCredential(bed.Key), new OpenAIClientOptions { Endpoint = bed.OpenAIBaseUrl });
}
