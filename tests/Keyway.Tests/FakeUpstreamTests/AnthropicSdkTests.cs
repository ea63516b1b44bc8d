using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Helpers;
using Anthropic.Models.Messages;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.FakeUpstreamTests;

/// <summary>The official Anthropic .NET SDK, with response validation on, accepts what the fake answers.</summary>
public sealed class AnthropicSdkTests
{
    private const string Model = "claude-fake";

    [Fact]
    public async Task NonStream_ReturnsTheReplyTextAndUsage()
    {
        await using var fake = await FakeUpstream.StartAsync();

        var message = await Client(fake).Messages.Create(Params("hi"));

        Assert.Equal(FakeUpstream.ReplyText(Model), Text(message));
        Assert.Equal("end_turn", message.StopReason?.Raw());
        AssertUsage(message.Usage);
        Assert.Equal("/v1/messages", fake.Last.Path);
        // This SDK version sends its ApiKey as a bearer token, not as x-api-key.
        Assert.Equal("Bearer sk-ant-fake", fake.Last.Headers["authorization"]);
        Assert.True(fake.Last.Headers.ContainsKey("anthropic-version"));
    }

    [Fact]
    public async Task Stream_AggregatesToTheSameMessage()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var deltas = new StringBuilder();

        var aggregator = new MessageContentAggregator();
        await foreach (var streamEvent in Client(fake).Messages.CreateStreaming(Params("hi")).CollectAsync(aggregator))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text))
            {
                deltas.Append(text.Text);
            }
        }
        var message = aggregator.Message();

        Assert.Equal(FakeUpstream.ReplyText(Model), deltas.ToString());
        Assert.Equal(FakeUpstream.ReplyText(Model), Text(message));
        Assert.Equal("end_turn", message.StopReason?.Raw());
        AssertUsage(message.Usage);
    }

    [Fact]
    public async Task ToolUse_StreamedInputThenToolResult_AnswersWithTheResult()
    {
        await using var fake = await FakeUpstream.StartAsync();
        var client = Client(fake);
        var ask = Params($"{FakeUpstream.ToolTrigger} get_weather") with { Tools = [WeatherTool()] };

        var toolTurn = await client.Messages.CreateStreaming(ask).Aggregate();

        Assert.Equal("tool_use", toolTurn.StopReason?.Raw());
        Assert.True(toolTurn.Content.Single().TryPickToolUse(out var toolUse));
        Assert.Equal("get_weather", toolUse.Name);
        Assert.Equal("fake-upstream", toolUse.Input["city"].GetString());

        var answer = await client.Messages.Create(ask with
        {
            Messages =
            [
                .. ask.Messages,
                new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = toolUse.ID, Name = toolUse.Name, Input = toolUse.Input } } },
                new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = toolUse.ID, Content = "sunny, 21 °C" } } },
            ],
        });

        Assert.Equal(FakeUpstream.ToolResultReplyText(Model, "sunny, 21 °C"), Text(answer));
    }

    [Fact]
    public async Task CountTokens_ReturnsTheBodyLengthOverFour()
    {
        await using var fake = await FakeUpstream.StartAsync();

        var count = await Client(fake).Messages.CountTokens(new MessageCountTokensParams { Model = Model, Messages = [new UserMessageParam { Content = "count me" }] });

        Assert.Equal("/v1/messages/count_tokens", fake.Last.Path);
        Assert.Equal(Encoding.UTF8.GetByteCount(fake.Last.Body) / 4, count.InputTokens);
    }

    [Fact]
    public async Task ScriptedAuthenticationError_SurfacesAsUnauthorized()
    {
        await using var fake = await FakeUpstream.StartAsync();
        fake.Enqueue(FakeReply.AnthropicError(401, "authentication_error", "invalid x-api-key"));

        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Client(fake).Messages.Create(Params("hi")));

        Assert.Contains("invalid x-api-key", error.Message);
    }

    [Fact]
    public async Task StreamCutMidway_EndsAfterTheScriptedEventsWithoutMessageStop()
    {
        await using var fake = await FakeUpstream.StartAsync();
        // message_start, ping, content_block_start, one content_block_delta; the SDK does not surface ping.
        fake.Enqueue(FakeReply.StreamThenDrop(eventsBeforeDrop: 4));
        var types = new List<string>();

        await foreach (var streamEvent in Client(fake).Messages.CreateStreaming(Params("hi")))
        {
            types.Add(streamEvent.Type.Raw());
        }

        Assert.Equal(["message_start", "content_block_start", "content_block_delta"], types);
        Assert.Equal(0, fake.AbortedRequests);
    }

    private static AnthropicClient Client(FakeUpstream fake) => new()
    {
        ApiKey = "sk-ant-fake",
        BaseUrl = fake.BaseAddress.ToString(),
        MaxRetries = 0,
        ResponseValidation = true,
    };

    private static MessageCreateParams Params(string prompt) => new()
    {
        Model = Model,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = prompt }],
    };

    private static Tool WeatherTool() => new()
    {
        Name = "get_weather",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
            Required = ["city"],
        },
    };

    private static string Text(Message message) =>
        string.Concat(message.Content.Select(block => block.TryPickText(out var text) ? text.Text : ""));

    private static void AssertUsage(Usage usage)
    {
        Assert.Equal(FakeUpstream.PromptTokens, usage.InputTokens);
        Assert.Equal(FakeUpstream.CompletionTokens, usage.OutputTokens);
        Assert.Equal(FakeUpstream.CachedTokens, usage.CacheReadInputTokens);
        Assert.Equal(FakeUpstream.CacheCreationTokens, usage.CacheCreationInputTokens);
    }
}
