using System.Text;
using Keyway.Protocols.Sse;

namespace Keyway.Tests.Protocols;

public sealed class SseEventSplitterTests
{
    public static TheoryData<string, string> FixturesAndLineEndings()
    {
        var data = new TheoryData<string, string>();
        foreach (var fixture in new[]
                 {
                     "openai/chat_stream_tool_call.sse", "openai/chat_stream_text_no_usage.sse", "openai/chat_stream_error.sse",
                     "anthropic/messages_stream_thinking_tool_use.sse", "anthropic/messages_stream_error.sse",
                 })
        {
            foreach (var ending in new[] { "\n", "\r\n", "\r" })
            {
                data.Add(fixture, ending);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturesAndLineEndings))]
    public void AnySplitOfAFixture_YieldsTheSameEvents(string fixture, string lineEnding)
    {
        var stream = ProtocolFixtures.Sse(fixture, lineEnding);
        var (expected, expectedRest) = ProtocolFixtures.FrameWhole(stream);
        Assert.NotEmpty(expected);
        Assert.Empty(expectedRest);
        Assert.Equal(stream, Encoding.UTF8.GetBytes(string.Concat(expected.Select(e => e.Raw))));

        var random = new Random(4242);
        for (var round = 0; round < 200; round++)
        {
            var maxChunk = round % 3 == 0 ? 3 : 64;
            var sizes = Enumerable.Range(0, stream.Length).Select(_ => random.Next(1, maxChunk + 1)).ToList();
            var (events, rest) = ProtocolFixtures.Frame(stream, sizes);
            Assert.Equal(expected, events);
            Assert.Empty(rest);
        }
    }

    [Fact]
    public void OneByteAtATime_YieldsTheSameEvents()
    {
        var stream = ProtocolFixtures.Sse("anthropic/messages_stream_thinking_tool_use.sse", "\r\n");
        var (expected, _) = ProtocolFixtures.FrameWhole(stream);
        var (events, _) = ProtocolFixtures.Frame(stream, Enumerable.Repeat(1, stream.Length));
        Assert.Equal(expected, events);
    }

    [Fact]
    public void Fields_FollowTheWhatwgRules()
    {
        var stream = "event: message_delta\r\n:comment line\r\ndata:no-space\r\ndata:  two spaces\r\ndata\r\nid: 7\r\nretry: 10\r\n\r\n"u8.ToArray();
        var (events, _) = ProtocolFixtures.FrameWhole(stream);

        var e = Assert.Single(events);
        Assert.Equal("message_delta", e.Name);
        Assert.Equal("no-space\n two spaces\n", e.Data);
        Assert.True(e.HasData);
        Assert.Equal(Encoding.UTF8.GetString(stream), e.Raw);
    }

    [Fact]
    public void CommentsAndBlankLines_AreEventsWithoutData_SoTheyAreForwardedToo()
    {
        var (events, _) = ProtocolFixtures.FrameWhole(": keep-alive\n\n\ndata: x\n\n"u8.ToArray());

        Assert.Equal(
            [new FramedEvent(": keep-alive\n\n", "", "", false), new FramedEvent("\n", "", "", false), new FramedEvent("data: x\n\n", "", "x", true)],
            events);
    }

    [Fact]
    public void SingleDataLine_IsASliceOfTheRawBytes()
    {
        using var splitter = new SseEventSplitter();
        splitter.Append("data: {\"a\":1}\n\n"u8);

        Assert.True(splitter.TryReadEvent(out var e));
        Assert.Equal("{\"a\":1}"u8.ToArray(), e.Data.ToArray());
        Assert.True(e.EventName.IsEmpty);
        Assert.False(splitter.TryReadEvent(out _));
    }

    [Fact]
    public void IncompleteTrailingEvent_IsReturnedByFlush()
    {
        var (events, rest) = ProtocolFixtures.Frame("data: one\n\ndata: tw"u8.ToArray(), [4, 7, 3]);

        Assert.Equal("one", Assert.Single(events).Data);
        Assert.Equal("data: tw"u8.ToArray(), rest);
    }

    [Fact]
    public void BlankLineEndingInCr_WaitsForAPossibleLf_UntilTheStreamCompletes()
    {
        using var splitter = new SseEventSplitter();
        splitter.Append("data: a\r\r"u8);
        Assert.False(splitter.TryReadEvent(out _));

        splitter.Append("\ndata: b\r\r"u8);
        Assert.True(splitter.TryReadEvent(out var first));
        Assert.Equal("data: a\r\r\n"u8.ToArray(), first.Raw.ToArray());
        Assert.False(splitter.TryReadEvent(out _));

        splitter.Complete();
        Assert.True(splitter.TryReadEvent(out var second));
        Assert.Equal("b"u8.ToArray(), second.Data.ToArray());
        Assert.True(splitter.Flush().IsEmpty);
    }

    [Theory]
    [InlineData("event: message_stop\ndata: {\"type\":\"message_stop\"}\n", "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")]
    [InlineData("data: {\"a\":1}\r\n", "data: {\"a\":1}\r\n\n")]
    [InlineData("data: {\"a\":1}\r", "data: {\"a\":1}\r\r")]
    [InlineData("data: {\"a\":1}", "data: {\"a\":1}\n\n")]
    [InlineData("data: [DONE]\n", "data: [DONE]\n\n")]
    public void CompleteTailWithoutItsBlankLine_IsFramedAtTheEnd(string tail, string framed)
    {
        using var splitter = new SseEventSplitter();
        splitter.Append("data: {\"first\":true}\n\n"u8);
        splitter.Append(Encoding.UTF8.GetBytes(tail));
        splitter.Complete();
        Assert.True(splitter.TryReadEvent(out _));
        Assert.False(splitter.TryReadEvent(out _));

        Assert.True(splitter.FrameCompleteTail());
        Assert.True(splitter.TryReadEvent(out var last));
        Assert.Equal(framed, Encoding.UTF8.GetString(last.Raw.Span));
        Assert.True(splitter.Flush().IsEmpty);
    }

    [Theory]
    [InlineData("data: {\"type\":\"message_stop\"\n")]
    [InlineData("data: {\"a\":1} {\"b\":2}\n")]
    [InlineData("data: 12\n")]
    [InlineData("data: [DON\n")]
    [InlineData(": keep-alive\n")]
    public void TailThatIsNoCompleteEvent_IsLeftForFlush(string tail)
    {
        using var splitter = new SseEventSplitter();
        splitter.Append(Encoding.UTF8.GetBytes(tail));
        splitter.Complete();
        Assert.False(splitter.TryReadEvent(out _));

        Assert.False(splitter.FrameCompleteTail());
        Assert.False(splitter.TryReadEvent(out _));
        Assert.Equal(tail, Encoding.UTF8.GetString(splitter.Flush().Span));
    }

    [Fact]
    public void BigEvent_GrowsTheBuffer()
    {
        var payload = new string('é', 600_000);
        var stream = Encoding.UTF8.GetBytes($"event: big\ndata: {payload}\ndata: end\n\ndata: after\n\n");

        var (events, rest) = ProtocolFixtures.Frame(stream, Enumerable.Repeat(8191, stream.Length / 8191 + 1));

        Assert.Equal(2, events.Count);
        Assert.Equal("big", events[0].Name);
        Assert.Equal(payload + "\nend", events[0].Data);
        Assert.Equal("after", events[1].Data);
        Assert.Empty(rest);
    }

    [Fact]
    public void ByteOrderMark_AtStreamStart_IsNotPartOfTheFieldName()
    {
        var (events, _) = ProtocolFixtures.FrameWhole([0xEF, 0xBB, 0xBF, .. "event: ping\ndata: {}\n\n"u8]);

        Assert.Equal("ping", Assert.Single(events).Name);
    }

    [Fact]
    public void Garbage_NeverThrows_AndIsForwardedByteForByte()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var stream = new byte[random.Next(0, 2000)];
            random.NextBytes(stream);
            for (var i = 0; i < stream.Length; i += random.Next(1, 40))
            {
                stream[i] = (byte)"\r\n:"[random.Next(3)];
            }

            using var splitter = new SseEventSplitter();
            var forwarded = new List<byte>();
            var offset = 0;
            while (offset < stream.Length)
            {
                var length = Math.Min(random.Next(1, 100), stream.Length - offset);
                splitter.Append(stream.AsSpan(offset, length));
                offset += length;
                while (splitter.TryReadEvent(out var e))
                {
                    forwarded.AddRange(e.Raw.ToArray());
                }
            }

            forwarded.AddRange(splitter.Flush().ToArray());
            Assert.Equal(stream, forwarded.ToArray());
        }
    }
}
