using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Helpers;
using Anthropic.Models.Messages;
using Keyway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

// The SDK marks its Responses client experimental; Codex speaks only that API, so it is what Keyway must serve.
#pragma warning disable OPENAI001

namespace Keyway.Tests.Gateway;

/// <summary>
/// Every client protocol on every upstream protocol, through the gateway, with the official SDKs: text, stream and
/// a tool round trip. The alias decides the upstream: gpt-alias is OpenAI Chat, claude-alias Anthropic Messages.
/// With <c>upstreamIgnoresStream</c> the upstream answers every call with its whole JSON answer, <c>stream: true</c>
/// or not (as some OpenAI-compatible servers do): the streaming client must get the same stream all the same.
/// </summary>
public sealed class TranslationMatrixTests
{
    private const string ChatTool = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, false, false)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, true, false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, false, true)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, true, true)]
    public async Task ChatClient_TextAndStream(string alias, string upstreamModel, bool translated, bool upstreamIgnoresStream)
    {
        await using var bed = await StartAsync(upstreamIgnoresStream);
        var client = ChatSdk(bed, alias);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hi")]);
        var streamed = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }

        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), completion.Content[0].Text);
        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), streamed.ToString());
        Assert.Equal(FakeUpstream.CompletionTokens, completion.Usage.OutputTokenCount);
        await AssertLoggedAsync(bed, 2, translated);
    }

    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, false)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, true)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, true)]
    public async Task ChatClient_ToolRoundTrip(string alias, string upstreamModel, bool upstreamIgnoresStream)
    {
        await using var bed = await StartAsync(upstreamIgnoresStream);
        var client = ChatSdk(bed, alias);
        var options = new ChatCompletionOptions { Tools = { OpenAI.Chat.ChatTool.CreateFunctionTool("get_weather", "Weather", BinaryData.FromString(ChatTool)) } };
        List<ChatMessage> messages = [new UserChatMessage($"{FakeUpstream.ToolTrigger} get_weather")];

        ChatToolCall? call = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ToolCallUpdates.Where(p => p.FunctionName is not null))
            {
                call = ChatToolCall.CreateFunctionToolCall(part.ToolCallId, part.FunctionName, BinaryData.FromString("""{"city":"fake-upstream"}"""));
            }
        }
        Assert.NotNull(call);
        messages.Add(new AssistantChatMessage([call]));
        messages.Add(new ToolChatMessage(call.Id, "sunny ✓"));
        ChatCompletion answer = await client.CompleteChatAsync(messages, options);

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal(FakeUpstream.ToolResultReplyText(upstreamModel, "sunny ✓"), answer.Content[0].Text);
    }

    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, false, false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, true, false)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, false, true)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, true, true)]
    public async Task AnthropicClient_TextStreamAndToolRoundTrip(string alias, string upstreamModel, bool translated, bool upstreamIgnoresStream)
    {
        await using var bed = await StartAsync(upstreamIgnoresStream);
        var client = AnthropicSdk(bed);
        var ask = new MessageCreateParams { Model = alias, MaxTokens = 256, Messages = [new UserMessageParam { Content = "hi" }] };

        var message = await client.Messages.Create(ask);
        var streamed = await client.Messages.CreateStreaming(ask).Aggregate();
        var withTool = ask with
        {
            Messages = [new UserMessageParam { Content = $"{FakeUpstream.ToolTrigger} get_weather" }],
            Tools = [new Tool { Name = "get_weather", InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) }, Required = ["city"] } }],
        };
        var toolTurn = await client.Messages.CreateStreaming(withTool).Aggregate();
        Assert.True(toolTurn.Content.Last().TryPickToolUse(out var toolUse));
        var answer = await client.Messages.Create(withTool with
        {
            Messages =
            [
                .. withTool.Messages,
                new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = toolUse.ID, Name = toolUse.Name, Input = toolUse.Input } } },
                new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = toolUse.ID, Content = "sunny ✓" } } },
            ],
        });

        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), Text(message));
        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), Text(streamed));
        Assert.Equal("tool_use", toolTurn.StopReason?.Raw());
        Assert.Equal("get_weather", toolUse.Name);
        Assert.Equal(FakeUpstream.ToolResultReplyText(upstreamModel, "sunny ✓"), Text(answer));
        await AssertLoggedAsync(bed, 4, translated);
    }

    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, false)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, true)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, true)]
    public async Task ResponsesClient_TextStreamAndFunctionRoundTrip(string alias, string upstreamModel, bool upstreamIgnoresStream)
    {
        await using var bed = await StartAsync(upstreamIgnoresStream);
        var client = ResponsesSdk(bed);

        ResponseResult whole = await client.CreateResponseAsync(alias, "hi");
        var text = new StringBuilder();
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(alias, "hi"))
        {
            text.Append(update is StreamingResponseOutputTextDeltaUpdate delta ? delta.Delta : "");
            completed = update is StreamingResponseCompletedUpdate done ? done.Response : completed;
        }
        var tool = ResponseTool.CreateFunctionTool("exec_command", BinaryData.FromString("""{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}"""), strictModeEnabled: false);
        var ask = new CreateResponseOptions { Model = alias, StreamingEnabled = true, InputItems = { ResponseItem.CreateUserMessageItem($"{FakeUpstream.ToolTrigger} exec_command") }, Tools = { tool } };
        FunctionCallResponseItem? call = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(ask))
        {
            call = update is StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem item } ? item : call;
        }
        Assert.NotNull(call);
        var followUp = new CreateResponseOptions { Model = alias, Tools = { tool } };
        followUp.InputItems.Add(ResponseItem.CreateUserMessageItem($"{FakeUpstream.ToolTrigger} exec_command"));
        followUp.InputItems.Add(call);
        followUp.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, "total 0"));
        ResponseResult answer = await client.CreateResponseAsync(followUp);

        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), whole.GetOutputText());
        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), text.ToString());
        Assert.Equal(FakeUpstream.CompletionTokens, completed?.Usage.OutputTokenCount);
        Assert.Equal("exec_command", call.FunctionName);
        Assert.Equal(FakeUpstream.ToolResultReplyText(upstreamModel, "total 0"), answer.GetOutputText());
        await AssertLoggedAsync(bed, 4, translated: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesClient_OnAResponsesProvider_PassesThrough(bool upstreamIgnoresStream)
    {
        await using var bed = await StartAsync(upstreamIgnoresStream);
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "responses-native", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "codex-native", "responses-native", "gpt-resp");
        const string body = """{"model":"codex-native","input":"hi","stream":true,"store":false,"prompt_cache_key":"conv-1","x_unknown":{"kept":true}}""";

        using var response = await bed.PostAsync("v1/responses", body, ("session_id", "conv-1"));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: response.output_text.delta", events);
        Assert.Contains("event: response.completed", events);
        Assert.Equal("/v1/responses", bed.Upstream.Last.Path);
        Assert.Equal(body.Replace("\"codex-native\"", "\"gpt-resp\""), bed.Upstream.Last.Body);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.False(log.GetProperty("translated").GetBoolean());
        Assert.Equal("openai-responses", log.GetProperty("client_protocol").GetString());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task TranslatedStream_BreakingOff_EndsWithTheClientProtocolsFailure()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenDrop(eventsBeforeDrop: FakeAnthropicMessages.OpeningEvents + 1));

        using var response = await bed.PostAsync("v1/responses", """{"model":"claude-alias","input":"hi","stream":true}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("event: response.failed", events);
        Assert.DoesNotContain("response.completed", events);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
    }

    private static async Task AssertLoggedAsync(GatewayTestBed bed, int count, bool translated)
    {
        var logs = await bed.WaitForLogsAsync(count);
        Assert.All(logs, log =>
        {
            Assert.Equal(200, log.GetProperty("status_code").GetInt32());
            Assert.Equal(translated, log.GetProperty("translated").GetBoolean());
            // The upstream's own counts, whether the translator read them (answers from a Chat upstream) or the log did.
            Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
            Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
            Assert.Equal(FakeUpstream.CachedTokens, log.GetProperty("cache_read_tokens").GetInt64());
        });
    }

    [Theory]
    [InlineData("v1/chat/completions", """{"model":"claude-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/responses", """{"model":"claude-alias","stream":true,"input":"hi"}""")]
    public async Task OpenAIClients_ToolWithoutParameters_StreamedFromAnthropic_GetEmptyObjectArguments(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var upstream = Keyway.Tests.Protocols.ProtocolFixtures.Sse("translation/anthropic-chat/anthropic_stream_tool_without_arguments.sse");
        bed.Upstream.Enqueue(FakeReply.Status(200, Encoding.UTF8.GetString(upstream), contentType: "text/event-stream"));

        using var response = await bed.PostAsync(path, body);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n").Select(e => e.Split("data: ").Last()).Where(d => d.StartsWith('{')).Select(d => JsonDocument.Parse(d).RootElement).ToList();

        // Chat clients join a call's argument fragments; Responses clients read the whole item from output_item.done.
        List<string?> arguments = path == "v1/responses"
            ? [.. events.Where(e => e.GetProperty("type").GetString() == "response.output_item.done").Select(e => e.GetProperty("item")).Where(i => i.GetProperty("type").GetString() == "function_call").Select(i => i.GetProperty("arguments").GetString())]
            : events.SelectMany(e => e.GetProperty("choices").EnumerateArray()).SelectMany(c => c.GetProperty("delta").TryGetProperty("tool_calls", out var calls) ? calls.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .GroupBy(call => call.GetProperty("index").GetInt32()).Select(call => (string?)string.Concat(call.Select(part => part.GetProperty("function").GetProperty("arguments").GetString()))).ToList();
        Assert.Equal(["{}", "{}"], arguments);
    }

    private static async Task<GatewayTestBed> StartAsync(bool upstreamIgnoresStream)
    {
        var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.ReplyToAll(upstreamIgnoresStream ? FakeReply.IgnoringStream() : null);
        return bed;
    }

    private static ChatClient ChatSdk(GatewayTestBed bed, string alias) =>
        new(alias, new ApiKeyCredential(bed.Key), new OpenAIClientOptions { Endpoint = bed.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private static AnthropicClient AnthropicSdk(GatewayTestBed bed) => new()
    {
        ApiKey = bed.Key,
        BaseUrl = bed.Server.BaseAddress.ToString(),
        MaxRetries = 0,
        ResponseValidation = true,
    };

    private static ResponsesClient ResponsesSdk(GatewayTestBed bed) =>
        new(new ApiKeyCredential(bed.Key), new ResponsesClientOptions { Endpoint = bed.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private static string Text(Message message) =>
        string.Concat(message.Content.Select(block => block.TryPickText(out var text) ? text.Text : ""));
}
