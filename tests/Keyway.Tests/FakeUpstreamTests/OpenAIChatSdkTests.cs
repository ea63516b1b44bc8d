using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Keyway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Keyway.Tests.FakeUpstreamTests;

/// <summary>The official OpenAI .NET SDK, pointed straight at the fake, accepts what the fake answers.</summary>
public sealed class OpenAIChatSdkTests
{
    private const string Model = "gpt-fake";

    [Fact]
    public async Task NonStream_ReturnsTheReplyTextAndUsage()
    {
        await using var fake = await FakeUpstream.StartAsync();

        ChatCompletion completion = await Client(fake).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(FakeUpstream.ReplyText(Model), completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(FakeUpstream.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(FakeUpstream.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(FakeUpstream.TotalTokens, completion.Usage.TotalTokenCount);
        Assert.Equal(FakeUpstream.CachedTokens, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(FakeUpstream.ReasoningTokens, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal("/v1/chat/completions", fake.Last.Path);
        Assert.Equal("Bearer sk-fake", fake.Last.Headers["authorization"]);
    }

    [Fact]
    public async Task Stream_AssemblesTheReplyTextAndEndsWithTheUsageChunk()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finishReason = null;

        await foreach (var update in Client(fake).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            finishReason ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(FakeUpstream.ReplyText(Model), text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finishReason);
        Assert.True(fake.Last.Json.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(FakeUpstream.PromptTokens, usage?.InputTokenCount);
        Assert.Equal(FakeUpstream.CompletionTokens, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task ToolCall_StreamedArgumentsThenToolResult_AnswersWithTheResult()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var client = Client(fake);
        var options = new ChatCompletionOptions { Tools = { WeatherTool() } };
        List<ChatMessage> messages = [new UserChatMessage($"Please {FakeUpstream.ToolTrigger} get_weather.")];
        var (callId, name, arguments, finishReason) = await StreamToolCallAsync(client, messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, finishReason);
        Assert.Equal("get_weather", name);
        Assert.Equal("""{"city":"fake-upstream"}""", arguments);

        messages.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(callId, name, BinaryData.FromString(arguments))]));
        messages.Add(new ToolChatMessage(callId, "sunny, 21 °C"));
        ChatCompletion answer = await client.CompleteChatAsync(messages, options);

        Assert.Equal(FakeUpstream.ToolResultReplyText(Model, "sunny, 21 °C"), answer.Content[0].Text);
        Assert.Equal(2, fake.RequestCount);
    }

    [Fact]
    public async Task ScriptedRateLimit_SurfacesAsA429ClientResultException()
    {
        await using var fake = await FakeUpstream.StartAsync();
        fake.Enqueue(FakeReply.OpenAIRateLimit(retryAfterSeconds: 7));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(fake).CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, error.Status);
        Assert.Contains("Rate limit reached", error.Message);
        Assert.Equal("7", error.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var retryAfter) == true ? retryAfter : null);
        ChatCompletion next = await Client(fake).CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.Equal(FakeUpstream.ReplyText(Model), next.Content[0].Text);
    }

    [Fact]
    public async Task CallerCancels_WhileTheFakeHangs_IsCountedAsAnAbort()
    {
        await using var fake = await FakeUpstream.StartAsync();
        fake.Enqueue(FakeReply.HangUntilAborted());
        using var cancellation = new CancellationTokenSource();

        var call = Client(fake).CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: cancellation.Token);
        await fake.WaitForRequestsAsync(1);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await fake.WaitForAbortAsync();
        Assert.Equal(1, fake.AbortedRequests);
    }

    internal static ChatClient Client(FakeUpstream fake) => new(
        Model,
        new ApiKeyCredential("sk-fake"),
        new OpenAIClientOptions { Endpoint = new Uri(fake.BaseAddress, "v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private static ChatTool WeatherTool() => ChatTool.CreateFunctionTool(
        "get_weather",
        "Current weather of a city",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    private static async Task<(string CallId, string Name, string Arguments, ChatFinishReason? FinishReason)> StreamToolCallAsync(
        ChatClient client, List<ChatMessage> messages, ChatCompletionOptions options)
    {
        string callId = "", name = "";
        var arguments = new StringBuilder();
        ChatFinishReason? finishReason = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                callId = call.ToolCallId ?? callId;
                name = call.FunctionName ?? name;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }
            finishReason ??= update.FinishReason;
        }
        return (callId, name, arguments.ToString(), finishReason);
    }
}
