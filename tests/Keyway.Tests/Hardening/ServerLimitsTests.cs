using System.Net;
using Keyway.Configuration;
using Keyway.Tests.Hardening.Fuzz;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Hardening;

/// <summary>
/// Kestrel's limits as Keyway sets them: a client that trickles its headers, or sends a body that never ends or
/// crawls, is cut off, and meanwhile every other request is answered. Nothing here asserts how long anything took.
/// </summary>
public sealed class ServerLimitsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SlowlorisHeaders_AreCutOff_WhileOtherRequestsAreAnswered()
    {
        await using var bed = await StartAsync(limits => limits with { HeadersTimeout = TimeSpan.FromSeconds(1) });
        await using var slow = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        await slow.TrySendAsync("GET /health/live HTTP/1.1\r\nHost: keyway\r\n");
        using var deadline = new CancellationTokenSource(Patience);
        var answer = slow.ReadUntilClosedAsync(deadline.Token);

        var trickled = 0;
        while (!answer.IsCompleted && await slow.TrySendAsync($"X-Slow-{trickled}: 1\r\n"))
        {
            trickled++;
            using var other = await bed.Server.Http.GetAsync("health/live", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            await Task.WhenAny(answer, Task.Delay(200, deadline.Token));
        }

        var text = await answer;
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), text);
        Assert.True(trickled >= 1);
    }

    [Fact]
    public async Task EndlessBody_Gets413_AndTheServerKeepsAnswering()
    {
        await using var bed = await StartAsync(limits => limits, maxBodyBytes: 1024 * 1024);
        await using var endless = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        await endless.TrySendAsync(
            $"POST /v1/chat/completions HTTP/1.1\r\nHost: keyway\r\nAuthorization: Bearer {bed.Key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        using var deadline = new CancellationTokenSource(Patience);
        var answer = endless.ReadUntilClosedAsync(deadline.Token);
        var chunk = System.Text.Encoding.ASCII.GetBytes($"10000\r\n{new string(' ', 0x10000)}\r\n");
        while (!answer.IsCompleted && !deadline.IsCancellationRequested && await endless.TrySendAsync(chunk))
        {
        }

        Assert.StartsWith("HTTP/1.1 413", await answer);
        using var other = await bed.Client.PostAsync("v1/chat/completions", GatewayTestBed.Json("""{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task CrawlingBody_IsCutOffBelowTheMinimumDataRate_WithoutAnUnhandledError()
    {
        var errors = new CapturedErrors();
        await using var bed = await StartAsync(limits => limits with { MinDataRateBytesPerSecond = 1000 }, errors: errors);
        await using var crawling = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        await crawling.TrySendAsync(
            $"POST /v1/chat/completions HTTP/1.1\r\nHost: keyway\r\nAuthorization: Bearer {bed.Key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{");
        using var deadline = new CancellationTokenSource(Patience);
        var answer = crawling.ReadUntilClosedAsync(deadline.Token);
        while (!answer.IsCompleted && await crawling.TrySendAsync(" "))
        {
            using var other = await bed.Server.Http.GetAsync("health/live", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            await Task.WhenAny(answer, Task.Delay(100, deadline.Token));
        }

        var text = await answer;
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), text);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(408, log.GetProperty("status_code").GetInt32());
        Assert.True(errors.Entries.Count == 0, string.Join("\n", errors.Entries));
    }

    private static Task<GatewayTestBed> StartAsync(Func<ServerLimits, ServerLimits> limits, long? maxBodyBytes = null, CapturedErrors? errors = null) =>
        GatewayTestBed.StartAsync(
            options => options with { Limits = limits(options.Limits), MaxRequestBodyBytes = maxBodyBytes ?? options.MaxRequestBodyBytes },
            errors is null ? null : services => services.AddSingleton<ILoggerProvider>(errors));
}
