using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.FakeUpstreamTests;

/// <summary>The fake's own contract over raw HTTP: recording, echo, SSE framing, scripting and concurrency.</summary>
public sealed class FakeUpstreamBehaviourTests
{
    [Fact]
    public async Task OtherPaths_EchoPathAndModel_AndAreRecordedWithHeaders()
    {
        await using var fake = await FakeUpstream.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/services/aigc/video-generation?async=1")
        {
            Content = JsonContent.Create(new { model = "wan-fake", input = new { prompt = "ünïcødé" } }),
        };
        request.Headers.Add("X-DashScope-Async", "enable");

        using var response = await http.SendAsync(request);
        var echo = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/v1/services/aigc/video-generation?async=1", echo?["path"]?.GetValue<string>());
        Assert.Equal("wan-fake", echo?["received_model"]?.GetValue<string>());
        Assert.Equal("enable", fake.Last.Headers["x-dashscope-async"]);
        Assert.Equal("ünïcødé", fake.Last.Json.GetProperty("input").GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task ChatStream_WithoutIncludeUsage_IsRoleContentFinishThenDone()
    {
        await using var fake = await FakeUpstream.StartAsync();

        var events = await StreamAsync(fake, "v1/chat/completions", new { model = "m", stream = true, messages = new[] { new { role = "user", content = "hi" } } });

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(data => JsonDocument.Parse(data).RootElement).ToList();
        Assert.Equal(1 + 5 + 1, chunks.Count);
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks, chunk => Assert.False(chunk.TryGetProperty("usage", out _)));
    }

    [Fact]
    public async Task OmitUsage_LeavesUsageOutEvenWhenAskedFor()
    {
        await using var fake = await FakeUpstream.StartAsync();
        fake.OmitUsage = true;

        var chat = await StreamAsync(fake, "v1/chat/completions", new { model = "m", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = "hi" } } });
        var anthropic = await StreamAsync(fake, "v1/messages", new { model = "m", stream = true, max_tokens = 9, messages = new[] { new { role = "user", content = "hi" } } });

        Assert.DoesNotContain(chat, data => data.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.DoesNotContain(anthropic, data => data.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.Contains(anthropic, data => data.Contains("message_stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScriptedReplies_ComeInOrder_ThenReplyToAll_UntilReset()
    {
        await using var fake = await FakeUpstream.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        fake.Enqueue(FakeReply.PlainText(500, "boom"), times: 2);
        fake.ReplyToAll(FakeReply.AnthropicError(529, "overloaded_error", "Overloaded"));

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            if (i == 3)
            {
                fake.Reset();
            }
            using var response = await http.PostAsJsonAsync("v1/messages", new { model = "m", max_tokens = 9, messages = Array.Empty<object>() });
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([500, 500, 529, 200], statuses);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task HoldUntil_SendsNothingUntilReleased()
    {
        await using var fake = await FakeUpstream.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        var release = new TaskCompletionSource();
        fake.Enqueue(FakeReply.HoldUntil(release.Task));

        var call = http.PostAsJsonAsync("v1/chat/completions", new { model = "m", messages = Array.Empty<object>() });
        await fake.WaitForRequestsAsync(1);
        var completedWhileHeld = call.IsCompleted;
        release.SetResult();
        using var response = await call;

        Assert.False(completedWhileHeld);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StreamThenHang_CallerLeaving_IsCountedAsAnAbort()
    {
        await using var fake = await FakeUpstream.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        fake.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 2));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/responses") { Content = JsonContent.Create(new { model = "m", stream = true, input = "hi" }) };

        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("event: response.created", await reader.ReadLineAsync());
        }

        await fake.WaitForAbortAsync();
        Assert.Equal(1, fake.AbortedRequests);
    }

    [Fact]
    public async Task ParallelCalls_AreAllRecorded_WithDistinctIds()
    {
        await using var fake = await FakeUpstream.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };

        var ids = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await http.PostAsJsonAsync("v1/chat/completions", new { model = $"m{i}", messages = Array.Empty<object>() });
            var completion = await response.Content.ReadFromJsonAsync<JsonObject>();
            return completion?["id"]?.GetValue<string>();
        }));

        Assert.Equal(64, ids.Distinct().Count());
        Assert.Equal(64, fake.RequestCount);
        Assert.Equal(64, fake.Requests.Select(request => request.Model).Distinct().Count());
    }

    /// <summary>The <c>data:</c> payloads of a whole SSE response, in order.</summary>
    private static async Task<List<string>> StreamAsync(FakeUpstream fake, string path, object body)
    {
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal)).Select(line => line["data: ".Length..])];
    }
}
