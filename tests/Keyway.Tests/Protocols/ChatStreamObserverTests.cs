using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Tests.Protocols;

public sealed class ChatStreamObserverTests
{
    [Fact]
    public void ToolCallStream_ReportsUsageFinishReasonAndDone_AndFlagsOnlyTheUsageChunk()
    {
        var events = ProtocolFixtures.Events(ProtocolFixtures.Sse("openai/chat_stream_tool_call.sse"));
        var observer = new ChatStreamObserver();

        var kinds = events.Select(e => observer.Observe(e)).ToList();

        Assert.Equal(new TokenUsage(412, 57, 256, null, 12), observer.Usage);
        Assert.Equal("tool_calls", observer.FinishReason);
        Assert.True(observer.SawDone);
        Assert.Null(observer.ErrorMessage);
        Assert.Equal(ObservedEvent.UsageOnly, kinds[^2]);
        Assert.Equal(ObservedEvent.Done, kinds[^1]);
        Assert.All(kinds[..^2], kind => Assert.Equal(ObservedEvent.Other, kind));
    }

    [Fact]
    public void StreamWithoutUsage_LeavesUsageUnknown()
    {
        var observer = Observe("openai/chat_stream_text_no_usage.sse");

        Assert.Equal(TokenUsage.Unknown, observer.Usage);
        Assert.Equal("stop", observer.FinishReason);
        Assert.True(observer.SawDone);
    }

    [Fact]
    public void InStreamErrorChunk_ReportsItsMessage()
    {
        var events = ProtocolFixtures.Events(ProtocolFixtures.Sse("openai/chat_stream_error.sse"));
        var observer = new ChatStreamObserver();

        var kinds = events.Select(e => observer.Observe(e)).ToList();

        Assert.Equal(ObservedEvent.Error, kinds[^1]);
        Assert.Equal("The server had an error while processing your request. Sorry about that!", observer.ErrorMessage);
        Assert.False(observer.SawDone);
    }

    [Theory]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5}}\n\n", ObservedEvent.UsageOnly)]
    [InlineData("data: {\"usage\":{\"prompt_tokens\":5},\"choices\":null}\n\n", ObservedEvent.UsageOnly)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":5}}\n\n", ObservedEvent.Other)]
    [InlineData("data: {\"choices\":[],\"usage\":null}\n\n", ObservedEvent.Other)]
    [InlineData("data:[DONE]\r\n\r\n", ObservedEvent.Done)]
    [InlineData("data: {\"choices\":[{\"finish_reason\":\"st\n\n", ObservedEvent.Other)]
    [InlineData("data: {\"usage\":{\"prompt_tokens\":\"many\"},\"choices\":[]}\n\n", ObservedEvent.UsageOnly)]
    [InlineData("data: \"just a string\"\n\n", ObservedEvent.Other)]
    [InlineData("data: {\"a\":\"\\ud800\"}\n\n", ObservedEvent.Other)]
    [InlineData(": ping\n\n", ObservedEvent.Other)]
    public void Observe_ClassifiesEvents_AndNeverThrows(string sse, ObservedEvent expected)
    {
        var observer = new ChatStreamObserver();
        var e = Assert.Single(ProtocolFixtures.Events(System.Text.Encoding.UTF8.GetBytes(sse)));

        Assert.Equal(expected, observer.Observe(e));
    }

    /// <summary>Chunks whose bytes look like a plain content delta are passed unparsed; these only look so, and are read.</summary>
    [Theory]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\" : \"stop\"}]}", "stop", null)]
    [InlineData("{\"choices\":[{\"index\":0,\"finish_reason\":null},{\"index\":1,\"finish_reason\":\"length\"}]}", "length", null)]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_\\u0072eason\":\"stop\"}]}", "stop", null)]
    [InlineData("{\"choices\":[],\"\\u0075sage\":{\"prompt_tokens\":7}}", null, 7L)]
    public void ChunksThatOnlyLookEmpty_AreStillRead(string chunk, string? finishReason, long? promptTokens)
    {
        var observer = new ChatStreamObserver();

        observer.Observe(Assert.Single(ProtocolFixtures.Events(System.Text.Encoding.UTF8.GetBytes($"data: {chunk}\n\n"))));

        Assert.Equal(finishReason, observer.FinishReason);
        Assert.Equal(promptTokens, observer.Usage.InputTokens);
    }

    [Fact]
    public void UsageFieldsNotReported_StayNull_NeverZero()
    {
        var observer = new ChatStreamObserver();
        var e = Assert.Single(ProtocolFixtures.Events("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\n"u8.ToArray()));

        observer.Observe(e);

        Assert.Equal(new TokenUsage(9, 3, null, null, null), observer.Usage);
    }

    private static ChatStreamObserver Observe(string fixture)
    {
        var observer = new ChatStreamObserver();
        foreach (var e in ProtocolFixtures.Events(ProtocolFixtures.Sse(fixture)))
        {
            observer.Observe(e);
        }

        return observer;
    }
}
