using System.Text;
using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Tests.Protocols;

public sealed class ResponsesStreamObserverTests
{
    [Fact]
    public void CompletedStream_ReportsUsageFromResponseCompleted()
    {
        var observer = new ResponsesStreamObserver();

        var kinds = ProtocolFixtures.Events(ProtocolFixtures.Sse("openai/responses_stream_text.sse")).Select(e => observer.Observe(e)).ToList();

        Assert.Equal(new TokenUsage(36, 87, 4, null, 9), observer.Usage);
        Assert.True(observer.SawTerminalEvent);
        Assert.Null(observer.ErrorMessage);
        Assert.Equal(ObservedEvent.Done, kinds[^1]);
    }

    [Fact]
    public void FailedResponse_ReportsTheResponsesErrorMessage()
    {
        var observer = new ResponsesStreamObserver();

        var kind = observer.Observe(Event("""{"type":"response.failed","response":{"status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached. Try again in 2s."}}}"""));

        Assert.Equal(ObservedEvent.Error, kind);
        Assert.True(observer.SawTerminalEvent);
        Assert.Equal("Rate limit reached. Try again in 2s.", observer.ErrorMessage);
    }

    [Theory]
    [InlineData("""{"type":"error","code":"server_error","message":"boom"}""", ObservedEvent.Error)]
    [InlineData("""{"type":"response.output_text.delta","delta":"x"}""", ObservedEvent.Other)]
    [InlineData("""{"type":"response.completed","response":{"usage":"odd"}}""", ObservedEvent.Done)]
    [InlineData("not json", ObservedEvent.Other)]
    public void Observe_ClassifiesEvents_AndNeverThrows(string data, ObservedEvent expected)
    {
        Assert.Equal(expected, new ResponsesStreamObserver().Observe(Event(data)));
    }

    [Fact]
    public void UsageReader_ReadsAResponseObject()
    {
        var usage = UsageReader.FromResponse("""{"id":"resp_1","usage":{"input_tokens":5,"output_tokens":2,"output_tokens_details":{"reasoning_tokens":1}}}"""u8);

        Assert.Equal(new TokenUsage(5, 2, null, null, 1), usage);
    }

    private static SseEvent Event(string data) => ProtocolFixtures.Events(Encoding.UTF8.GetBytes($"data: {data}\n\n")).Single();
}
