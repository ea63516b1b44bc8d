using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Keyway.Telemetry.Tracing;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Operations;

/// <summary>
/// One span per client request and one per upstream attempt under it, with names, statuses and failure classes but
/// never a secret or prompt text; exported over OTLP/HTTP when an endpoint is configured.
/// </summary>
public sealed class TracingTests
{
    private const string Prompt = "tell me about the zebra-7f3e migration";

    [Fact]
    public async Task FailedOver_Request_HasOneSpanPerAttempt_UnderTheRequestSpan()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KeywayTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var pool = await KeyPoolBed.StartAsync("priority", "trace-first", "trace-second");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("trace-first"), FakeReply.OpenAIRateLimit(30), times: 1);

        using var response = await pool.Bed.PostAsync("v1/chat/completions", ChatWithPrompt());
        await response.Content.ReadAsStringAsync();
        await pool.Bed.WaitForLogsAsync(1);

        // Other tests run in parallel on the same ActivitySource: keep this test's trace only.
        var first = spans.Single(span => span.OperationName == KeywayTracing.AttemptSpan && (string?)span.GetTagItem("keyway.key_name") == "trace-first");
        var trace = spans.Where(span => span.TraceId == first.TraceId).ToList();
        var request = Assert.Single(trace, span => span.OperationName == KeywayTracing.RequestSpan);
        var attempts = trace.Where(span => span.OperationName == KeywayTracing.AttemptSpan).OrderBy(span => span.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, attempt => Assert.Equal(request.SpanId, attempt.ParentSpanId));
        Assert.Equal(ActivityKind.Client, attempts[0].Kind);
        AssertTags(attempts[0], ("keyway.alias", "gpt-alias"), ("keyway.provider", "fake-openai"), ("keyway.key_name", "trace-first"),
            ("keyway.retry_index", 0), ("http.response.status_code", 429), ("keyway.failure_class", "rate_limit"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        AssertTags(attempts[1], ("keyway.key_name", "trace-second"), ("keyway.retry_index", 1), ("http.response.status_code", 200));
        Assert.Null(attempts[1].GetTagItem("keyway.failure_class"));
        AssertTags(request, ("keyway.alias", "gpt-alias"), ("keyway.attempts", 2), ("http.response.status_code", 200), ("keyway.client_protocol", "openai"));
        var everyTagValue = string.Join('\n', trace.SelectMany(span => span.TagObjects).Select(tag => tag.Value?.ToString()));
        Assert.DoesNotContain("zebra", everyTagValue);
        Assert.DoesNotContain(KeyPoolBed.Secret("trace-first"), everyTagValue);
        Assert.DoesNotContain(pool.Bed.Key, everyTagValue);
    }

    [Fact]
    public async Task OtlpEndpoint_ReceivesTheSpans_OverHttpProtobuf_WithoutSecretsOrPrompts()
    {
        var batches = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        await using var receiver = LoopbackApp.Create();
        receiver.MapPost("/v1/traces", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            batches.Enqueue((http.Request.Path, http.Request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        var receiverUrl = await LoopbackApp.StartAsync(receiver);
        await using var bed = await GatewayTestBed.StartAsync(options => options with { OtlpEndpoint = receiverUrl });

        using var response = await bed.PostAsync("v1/chat/completions", ChatWithPrompt());
        await response.Content.ReadAsStringAsync();
        await bed.WaitForLogsAsync(1);
        bed.Server.Services.FlushKeywayTracing();

        // The flush sends what is still queued; a batch the exporter had already taken (other tests' servers fill the
        // process-wide sources fast when the whole suite runs) may still be on its way to the receiver.
        var payload = await ReceivedPayloadAsync(batches, KeywayTracing.RequestSpan);
        Assert.Contains(KeywayTracing.RequestSpan, payload);
        Assert.All(batches, batch => Assert.Equal("application/x-protobuf", batch.ContentType));
        Assert.Contains(KeywayTracing.AttemptSpan, payload);
        Assert.Contains("keyway.key_name", payload);
        Assert.Contains("fake-openai", payload);
        Assert.DoesNotContain("zebra", payload);
        Assert.DoesNotContain(AdminApi.DefaultUpstreamKey, payload);
        Assert.DoesNotContain(bed.Key, payload);
    }

    /// <summary>
    /// Every batch received so far as text (OTLP protobuf keeps strings as UTF-8 bytes, so names and tag values can be
    /// found in it as they are), once one holds <paramref name="expected"/>; what arrived after 10 s otherwise.
    /// </summary>
    private static async Task<string> ReceivedPayloadAsync(ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> batches, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var payload = string.Join('\n', batches.Select(batch => Encoding.UTF8.GetString(batch.Body)));
            if (payload.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return payload;
            }
            await Task.Delay(50);
        }
    }

    private static string ChatWithPrompt() => $$"""{"model":"gpt-alias","messages":[{"role":"user","content":"{{Prompt}}"}]}""";

    private static void AssertTags(Activity span, params (string Name, object Value)[] expected)
    {
        foreach (var (name, value) in expected)
        {
            Assert.Equal(value, span.GetTagItem(name));
        }
    }
}
