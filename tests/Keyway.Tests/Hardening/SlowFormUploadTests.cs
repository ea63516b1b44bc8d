using System.Net.Http.Headers;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A form whose file comes after <c>model</c> is sent upstream while the client still uploads it
/// (https://platform.openai.com/docs/api-reference/audio/createTranscription): a long recording on a slow line can take
/// longer than the provider's timeout_seconds. That timeout is the upstream's time to answer; the time Keyway waits on the
/// client's own body is not the upstream's, so it must neither end the request nor count against the key.
/// </summary>
public sealed class SlowFormUploadTests
{
    private const int Pieces = 6;
    private const int PieceBytes = 16 * 1024;
    private static readonly TimeSpan PieceInterval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task AnUploadLongerThanTheProviderTimeout_IsAnswered_AndBlamesNoKey()
    {
        await using var pool = await StartWithOneSecondTimeoutAsync();
        using var form = TricklingForm();

        using var response = await pool.Bed.Client.PostAsync("v1/audio/transcriptions", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Pieces * PieceBytes, pool.Upstream.Last.Json.GetProperty("files").GetProperty("file").GetProperty("length").GetInt64());
        Assert.Equal(["a"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("ok", health.GetProperty("state").GetString());
        Assert.Equal(0, health.GetProperty("consecutive_failures").GetInt32());
    }

    /// <summary>The deadline stands still only while the client is waited on: an upstream silent after the upload times out on its key.</summary>
    [Fact]
    public async Task AnUpstreamSilentAfterASlowUpload_StillTimesOut_OnItsKey()
    {
        await using var pool = await StartWithOneSecondTimeoutAsync();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.HangUntilAborted());
        using var form = TricklingForm();

        using var response = await pool.Bed.Client.PostAsync("v1/audio/transcriptions", form);

        Assert.Equal(504, (int)response.StatusCode);
        Assert.Equal(["a"], pool.TakeKeysSeen());
        Assert.Equal(1, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
    }

    /// <summary>
    /// A client that crawls below <c>KEYWAY_MIN_DATA_RATE</c> is still cut off while its form goes upstream (the deadline
    /// standing still is no way around the rate): a 408 naming why, no whole request upstream, and the fault is the
    /// client's, so the key keeps its health.
    /// </summary>
    [Fact]
    public async Task AFormCrawlingBelowTheMinimumDataRate_IsCutOff_AndBlamesNoKey()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { Limits = options.Limits with { MinDataRateBytesPerSecond = 1000 } });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new
        {
            timeout_seconds = 1,
            api_keys = new[] { new { name = "a", api_key = KeyPoolBed.Secret("a") } },
        });
        await using var crawling = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await crawling.StartBodyAsync("/v1/audio/transcriptions", bed.Key, "Content-Length: 100000", "multipart/form-data; boundary=XX", deadline.Token);
        await crawling.TrySendAsync(
            $"--XX\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n{GatewayTestBed.OpenAIAlias}\r\n" +
            "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n\r\n");
        var answer = crawling.ReadUntilClosedAsync(deadline.Token);
        while (!answer.IsCompleted && await crawling.TrySendAsync("a"))
        {
            await Task.WhenAny(answer, Task.Delay(100, deadline.Token));
        }

        Assert.StartsWith("HTTP/1.1 408", await answer);
        var row = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(408, row.GetProperty("status_code").GetInt32());
        Assert.Contains("data arriving too slowly", row.GetProperty("error").GetString());
        Assert.Equal(0, bed.Upstream.RequestCount);
        Assert.Equal(0, (await KeyPoolBed.KeyHealthAsync(bed.Admin, GatewayTestBed.OpenAIProvider, "a")).GetProperty("consecutive_failures").GetInt32());
    }

    private static async Task<KeyPoolBed> StartWithOneSecondTimeoutAsync()
    {
        var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await AdminApi.OkAsync(pool.Bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        return pool;
    }

    /// <summary><c>model</c> first, then a file that arrives in <see cref="Pieces"/> pieces.</summary>
    private static MultipartFormDataContent TricklingForm()
    {
        var form = new MultipartFormDataContent { { new StringContent(GatewayTestBed.OpenAIAlias), "model" } };
        var file = new StreamContent(new TricklingStream(Pieces * PieceBytes));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "speech.wav");
        return form;
    }

    /// <summary>The file's bytes in <see cref="Pieces"/> pieces, each after <see cref="PieceInterval"/>: 3 s in all.</summary>
    private sealed class TricklingStream(long length) : Stream
    {
        private readonly PatternStream _bytes = new(length);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _bytes.Position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_bytes.Position == length)
            {
                return 0;
            }
            await Task.Delay(PieceInterval, cancellationToken);
            return _bytes.Read(buffer.Span[..Math.Min(buffer.Length, PieceBytes)]);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
