using System.IO.Pipelines;
using System.Text;
using Keyway.Gateway;
using Keyway.Security;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// When the relay flushes: once per batch of bytes the upstream had ready, always before it waits, and not at the
/// upstream's end, where the caller's end of the response sends the rest; and that a key an upstream echoes never
/// passes, wherever the reads cut it.
/// </summary>
public sealed class SseRelayTests
{
    private const string First = "data: {\"n\":1}\n\n";
    private const string Second = "data: {\"n\":2}\n\n";
    private const string Third = "data: {\"n\":3}\n\n";

    [Fact]
    public async Task ReadsReadyUntilTheEnd_AreLeftForTheResponsesEnd_AndStampTheFirstByte()
    {
        var upstream = new ScriptedStream([Ready(First), Ready(Second), Ready(Third)]);
        var client = new CountingWriter();
        var stamps = 0;

        var (result, _) = await CopyAsync(upstream, client, onWrite: () => stamps++);
        var flushedByTheRelay = client.Text;
        await client.EndAsync();

        Assert.Equal(CopyResult.Success, result);
        Assert.Equal((0, "", 1), (client.Flushes, flushedByTheRelay, stamps));
        Assert.Equal(First + Second + Third, client.Text);
    }

    [Fact]
    public async Task EmptyStream_StampsNoFirstByte()
    {
        var client = new CountingWriter();
        var stamps = 0;

        var (result, _) = await CopyAsync(new ScriptedStream([]), client, onWrite: () => stamps++);

        Assert.Equal((CopyResult.Success, 0, 0), (result, client.Flushes, stamps));
    }

    [Fact]
    public async Task EventsOfOneRead_AreWrittenInOnePiece()
    {
        var upstream = new ScriptedStream([Ready(First + Second), Ready(Third)]);
        var client = new CountingWriter();

        await CopyAsync(upstream, client);
        await client.EndAsync();

        Assert.Equal((2, First + Second + Third), (client.Writes, client.Text));
    }

    [Fact]
    public async Task WrittenEvents_AreFlushedBeforeWaitingForTheUpstream()
    {
        var later = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstream = new ScriptedStream([Ready(First), Ready(Second), later.Task]);
        var client = new CountingWriter();

        var copy = CopyAsync(upstream, client);
        await client.FirstFlush.WaitAsync(TimeSpan.FromSeconds(10));
        var flushedWhileWaiting = client.Text;
        later.SetResult(Encoding.UTF8.GetBytes(Third));
        var (result, _) = await copy;
        await client.EndAsync();

        Assert.Equal(First + Second, flushedWhileWaiting);
        Assert.Equal(CopyResult.Success, result);
        Assert.Equal((1, First + Second + Third), (client.Flushes, client.Text));
    }

    [Fact]
    public async Task UpstreamBreak_StillDeliversWhatWasRead()
    {
        var upstream = new ScriptedStream([Ready(First), Task.FromException<byte[]>(new IOException("reset"))]);
        var client = new CountingWriter();

        var (result, error) = await CopyAsync(upstream, client);

        Assert.Equal(CopyResult.InputError, result);
        Assert.IsType<IOException>(error);
        Assert.Equal((1, First), (client.Flushes, client.Text));
    }

    [Fact]
    public async Task KeyEchoedAcrossTwoReads_IsMasked_AndTheEventsAroundItPassUnchanged()
    {
        const string Key = "sk-upstream-0123456789abcdef";
        var echo = $"data: {{\"error\":{{\"message\":\"Incorrect API key provided: {Key}\"}}}}\n\n";
        var cut = echo.IndexOf(Key, StringComparison.Ordinal) + 6;
        var upstream = new ScriptedStream([Ready(First + echo[..cut]), Ready(echo[cut..] + Second), Ready(Third)]);
        var client = new CountingWriter();

        await CopyAsync(upstream, client, new SecretScrubber(Key, clientKey: null));
        await client.EndAsync();

        Assert.Equal(First + echo.Replace(Key, SecretMask.Mask(Key), StringComparison.Ordinal) + Second + Third, client.Text);
    }

    [Fact]
    public async Task OpeningEvents_AreHeldWhileTheUpstreamWaits_AndLeaveAheadOfTheAnswersFirstEvent()
    {
        var later = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstream = new ScriptedStream([Ready(MessageStart), Ready(Ping), later.Task]);
        var client = new CountingWriter();
        var stamps = 0;

        var copy = CopyAsync(upstream, client, onWrite: () => stamps++, watcher: OpeningWatcher(new FakeTimeProvider()));
        await upstream.Waiting.WaitAsync(TimeSpan.FromSeconds(10));
        var whileWaiting = (client.Writes, stamps);
        later.SetResult(Encoding.UTF8.GetBytes(Delta));
        var (result, _) = await copy;
        await client.EndAsync();

        Assert.Equal((0, 0), whileWaiting);
        Assert.Equal((CopyResult.Success, 1), (result, stamps));
        Assert.Equal(MessageStart + Ping + Delta, client.Text);
    }

    /// <summary>An upstream silent after its opening for longer than the hold limit: what was held goes out then, not at its next event.</summary>
    [Fact]
    public async Task OpeningHeldPastTheLimit_LeavesWhileTheUpstreamIsStillSilent()
    {
        var clock = new FakeTimeProvider();
        var later = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstream = new ScriptedStream([Ready(MessageStart), later.Task]);
        var client = new CountingWriter();

        var copy = CopyAsync(upstream, client, watcher: OpeningWatcher(clock));
        await upstream.Waiting.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(LeadingErrorWatcher.OpeningHoldLimit - TimeSpan.FromSeconds(1));
        var beforeTheLimit = client.Writes;
        clock.Advance(TimeSpan.FromSeconds(1));
        await client.FirstFlush.WaitAsync(TimeSpan.FromSeconds(10));
        var atTheLimit = client.Text;
        later.SetResult(Encoding.UTF8.GetBytes(Delta));
        var (result, _) = await copy;
        await client.EndAsync();

        Assert.Equal((0, MessageStart), (beforeTheLimit, atTheLimit));
        Assert.Equal((CopyResult.Success, MessageStart + Delta), (result, client.Text));
    }

    /// <summary>A stream that ends after its opening wrote nothing (the caller fails over), unless the opening outlasted the hold limit.</summary>
    [Theory]
    [InlineData(9, "")]
    [InlineData(11, MessageStart + Ping)]
    public async Task StreamEndingAfterItsOpening_WritesNothing_UnlessHeldPastTheLimit(int secondsOpen, string written)
    {
        var clock = new FakeTimeProvider();
        var watcher = OpeningWatcher(clock);
        clock.Advance(TimeSpan.FromSeconds(secondsOpen));
        var client = new CountingWriter();

        var (result, _) = await CopyAsync(new ScriptedStream([Ready(MessageStart), Ready(Ping)]), client, watcher: watcher);
        await client.EndAsync();

        Assert.Equal((CopyResult.Success, written), (result, client.Text));
    }

    private const string MessageStart = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n";
    private const string Ping = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
    private const string Delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";

    private static LeadingErrorWatcher OpeningWatcher(TimeProvider clock) => new(new PassThroughWatcher(), new CancellationTokenSource(), clock);

    private static async Task<(CopyResult, Exception?)> CopyAsync(
        Stream upstream, CountingWriter client, SecretScrubber? secrets = null, Action? onWrite = null, IStreamWatcher? watcher = null)
    {
        using var idle = new CancellationTokenSource();
        return await SseRelay.CopyAsync(
            upstream, client, watcher ?? new PassThroughWatcher(), null, secrets ?? SecretScrubber.None, onWrite ?? (() => { }), idle, new RelayTimeouts(TimeSpan.FromMinutes(1), ClientStall: null), idle.Token);
    }

    private static Task<byte[]> Ready(string text) => Task.FromResult(Encoding.UTF8.GetBytes(text));

    /// <summary>Answers each read with the next scripted chunk (then the end of the stream); a chunk not yet completed is a read that waits.</summary>
    private sealed class ScriptedStream(IReadOnlyList<Task<byte[]>> chunks) : Stream
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _next;

        /// <summary>Completes when a read first waits for a chunk not yet completed.</summary>
        public Task Waiting => _waiting.Task;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_next == chunks.Count)
            {
                return 0;
            }
            if (!chunks[_next].IsCompleted)
            {
                _waiting.TrySetResult();
            }
            var chunk = await chunks[_next++];
            chunk.CopyTo(buffer);
            return chunk.Length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A client that keeps what was flushed to it and counts the writes and the relay's flushes.</summary>
    private sealed class CountingWriter : PipeWriter
    {
        private readonly TaskCompletionSource _firstFlush = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _flushed = new();
        private readonly PipeWriter _pending;
        private readonly MemoryStream _written = new();

        public CountingWriter() => _pending = Create(_written, new StreamPipeWriterOptions(leaveOpen: true));

        public int Flushes { get; private set; }

        public int Writes { get; private set; }

        public Task FirstFlush => _firstFlush.Task;

        public string Text => Encoding.UTF8.GetString(_flushed.ToArray());

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var result = await SendPendingAsync(cancellationToken);
            Flushes++;
            _firstFlush.TrySetResult();
            return result;
        }

        /// <summary>The response's end, as the relay's caller makes it: sends what is still pending.</summary>
        public async Task EndAsync() => await SendPendingAsync(CancellationToken.None);

        private async ValueTask<FlushResult> SendPendingAsync(CancellationToken cancellationToken)
        {
            var result = await _pending.FlushAsync(cancellationToken);
            _flushed.Write(_written.ToArray());
            _written.SetLength(0);
            return result;
        }

        public override void Advance(int bytes)
        {
            Writes++;
            _pending.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);
        public override void CancelPendingFlush() => _pending.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => _pending.Complete(exception);
    }
}
