using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Keyway.Tests.Infrastructure;
using OpenAI.Responses;

// The Responses client is marked experimental by the SDK; these tests exist to check the fake against it.
#pragma warning disable OPENAI001

namespace Keyway.Tests.FakeUpstreamTests;

/// <summary>The official OpenAI .NET SDK's Responses client accepts the fake's Responses answers.</summary>
public sealed class OpenAIResponsesSdkTests
{
    private const string Model = "gpt-fake-responses";

    [Fact]
    public async Task NonStream_ReturnsTheReplyTextAndUsage()
    {
        await using var fake = await FakeUpstream.StartAsync();

        ResponseResult response = await Client(fake).CreateResponseAsync(Model, "hi");

        Assert.Equal(FakeUpstream.ReplyText(Model), response.GetOutputText());
        Assert.Equal(FakeUpstream.PromptTokens, response.Usage.InputTokenCount);
        Assert.Equal(FakeUpstream.CompletionTokens, response.Usage.OutputTokenCount);
        Assert.Equal(FakeUpstream.CachedTokens, response.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(FakeUpstream.ReasoningTokens, response.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal("/v1/responses", fake.Last.Path);
    }

    [Fact]
    public async Task Stream_DeltasAssembleTheTextAndCompletedCarriesUsage()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var text = new StringBuilder();
        ResponseResult? completed = null;

        await foreach (var update in await Client(fake).CreateResponseStreamingAsync(Model, "hi"))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            completed = update is StreamingResponseCompletedUpdate done ? done.Response : completed;
        }

        Assert.Equal(FakeUpstream.ReplyText(Model), text.ToString());
        Assert.Equal(FakeUpstream.ReplyText(Model), completed?.GetOutputText());
        Assert.Equal(FakeUpstream.TotalTokens, completed?.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task FunctionCall_ThenFunctionCallOutput_AnswersWithTheResult()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var client = Client(fake);
        var tool = ResponseTool.CreateFunctionTool(
            "exec_command",
            BinaryData.FromString("""{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}"""),
            strictModeEnabled: false);
        var ask = new CreateResponseOptions { Model = Model, StreamingEnabled = true, InputItems = { ResponseItem.CreateUserMessageItem($"{FakeUpstream.ToolTrigger} exec_command") }, Tools = { tool } };
        FunctionCallResponseItem? call = null;

        await foreach (var update in await client.CreateResponseStreamingAsync(ask))
        {
            call = update is StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem item } ? item : call;
        }

        Assert.NotNull(call);
        Assert.Equal("exec_command", call.FunctionName);
        Assert.Equal("""{"cmd":"fake-upstream"}""", call.FunctionArguments.ToString());
        var followUp = new CreateResponseOptions { Model = Model, Tools = { tool } };
        followUp.InputItems.Add(ResponseItem.CreateUserMessageItem("go"));
        followUp.InputItems.Add(call);
        followUp.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, "total 0"));
        ResponseResult answer = await client.CreateResponseAsync(followUp);
        Assert.Equal(FakeUpstream.ToolResultReplyText(Model, "total 0"), answer.GetOutputText());
    }

    private static ResponsesClient Client(FakeUpstream fake) => new(
        new ApiKeyCredential("sk-fake"),
        new ResponsesClientOptions { Endpoint = new Uri(fake.BaseAddress, "v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
}
