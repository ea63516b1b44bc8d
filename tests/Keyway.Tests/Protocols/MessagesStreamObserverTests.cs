using System.Text;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Tests.Protocols;

public sealed class MessagesStreamObserverTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void ThinkingTextToolUseStream_ReportsUsageStopReasonAndStop(string lineEnding)
    {
        var observer = new MessagesStreamObserver();
        var events = ProtocolFixtures.Events(ProtocolFixtures.Sse("anthropic/messages_stream_thinking_tool_use.sse", lineEnding));

        var kinds = events.Select(e => observer.Observe(e)).ToList();

        Assert.Equal(new TokenUsage(472, 89, 3400, 1200, null), observer.Usage);
        Assert.Equal("tool_use", observer.StopReason);
        Assert.True(observer.SawMessageStop);
        Assert.Null(observer.ErrorMessage);
        Assert.Equal(ObservedEvent.Done, kinds[^1]);
        Assert.Single(kinds, kind => kind != ObservedEvent.Other);
    }

    [Fact]
    public void ErrorEvent_ReportsMessageAndType_AndKeepsUsageSoFar()
    {
        var observer = new MessagesStreamObserver();
        var events = ProtocolFixtures.Events(ProtocolFixtures.Sse("anthropic/messages_stream_error.sse"));

        var kinds = events.Select(e => observer.Observe(e)).ToList();

        Assert.Equal(ObservedEvent.Error, kinds[^1]);
        Assert.Equal("Overloaded", observer.ErrorMessage);
        Assert.Equal("overloaded_error", observer.ErrorType);
        Assert.Equal(new TokenUsage(25, 1, null, null, null), observer.Usage);
        Assert.False(observer.SawMessageStop);
    }

    [Fact]
    public void MessageDelta_WithInputAndCacheCounts_ReplacesThoseFromMessageStart()
    {
        var observer = ObserveAll(
            "event: message_start\ndata: {\"message\":{\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":1}},\"type\":\"message_start\"}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":40}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":6,\"cache_creation_input_tokens\":2,\"output_tokens\":44}}\n\n");

        Assert.Equal(new TokenUsage(12, 44, 6, 2, null), observer.Usage);
        Assert.Equal("end_turn", observer.StopReason);
    }

    [Fact]
    public void EventsWithoutAnEventLine_AreRecognisedByTheirJsonType()
    {
        var observer = ObserveAll(
            "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n" +
            "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":7}}\n\n" +
            "data: {\"type\":\"message_stop\"}\n\n");

        Assert.Equal(new TokenUsage(3, 7, null, null, null), observer.Usage);
        Assert.Equal("max_tokens", observer.StopReason);
        Assert.True(observer.SawMessageStop);
    }

    [Theory]
    [InlineData("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":\n\n")]
    [InlineData("event: message_delta\ndata: [1,2]\n\n")]
    [InlineData("event: message_delta\ndata: {\"usage\":{\"output_tokens\":1e400}}\n\n")]
    [InlineData("event: message_delta\ndata: {\"usage\":{\"output_tokens\":-}}\n\n")]
    [InlineData("event: content_block_delta\ndata: {{{{\n\n")]
    public void MalformedEvents_AreIgnored_WithoutThrowing(string sse)
    {
        var observer = ObserveAll(sse);

        Assert.Null(observer.Usage.OutputTokens);
        Assert.Null(observer.ErrorMessage);
    }

    [Fact]
    public void ErrorEventWithPlainText_StillReportsTheText()
    {
        var observer = ObserveAll("event: error\ndata: upstream exploded \n\n");

        Assert.Equal("upstream exploded", observer.ErrorMessage);
        Assert.Null(observer.ErrorType);
    }

    private static MessagesStreamObserver ObserveAll(string sse)
    {
        var observer = new MessagesStreamObserver();
        foreach (var e in ProtocolFixtures.Events(Encoding.UTF8.GetBytes(sse)))
        {
            observer.Observe(e);
        }

        return observer;
    }
}
