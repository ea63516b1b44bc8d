using System.Text;
using System.Text.Json;
using Keyway.Protocols.Anthropic;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Tools;

/// <summary>
/// What a web-search request costs when its client leaves: the rounds answered cost what they reported, and the round
/// the client left, once its body went upstream in full, its prompt (estimated where the round did not report it), as
/// a request without web search would. A round refused with an error status adds nothing of its own.
/// </summary>
public sealed class WebSearchClientLeftTests
{
    private const string Trigger = "use the tool tavily_search";

    /// <summary>
    /// Left once a streamed first round's answer showed: the round's prompt is estimated and its output is counted from
    /// its events, as a stream without web search left there is.
    /// </summary>
    [Fact]
    public async Task LeftDuringAStreamedFirstRound_CountsItsPromptAndItsEvents()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 3));

        await LeaveOnceTheAnswerShowsAsync(bed, "hi");

        var row = await LeftRowAsync(bed);
        Assert.True(row.GetProperty("usage_estimated").GetBoolean());
        Assert.Equal(PromptSent(bed, 0), row.GetProperty("input_tokens").GetInt64());
        Assert.InRange(row.GetProperty("output_tokens").GetInt64(), 1, 3);
    }

    /// <summary>
    /// Left once a later round's events began: the round answered before costs what it reported, and the round left its
    /// prompt's estimate and its events, not the earlier round's usage alone.
    /// </summary>
    [Fact]
    public async Task LeftOnceALaterRoundsEventsBegan_CountsTheRoundAnsweredAndThePromptOfTheRoundLeft()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 3));

        await LeaveOnceTheAnswerShowsAsync(bed, Trigger);

        var row = await LeftRowAsync(bed);
        Assert.Equal(1, row.GetProperty("web_search_rounds").GetInt32());
        Assert.True(row.GetProperty("usage_estimated").GetBoolean());
        Assert.Equal(FakeUpstream.PromptTokens + PromptSent(bed, 1), row.GetProperty("input_tokens").GetInt64());
        Assert.InRange(row.GetProperty("output_tokens").GetInt64(), FakeUpstream.CompletionTokens + 1, FakeUpstream.CompletionTokens + 3);
    }

    /// <summary>
    /// Left while a later round's error status was read (its body stalls): the refused round adds nothing, but the round
    /// answered before it was real spend and stays in the row. Left before that status came, the round's prompt counts
    /// too, as any round left once its body was sent does (the row then says it is estimated).
    /// </summary>
    [Fact]
    public async Task LeftWhileARefusedRoundsErrorWasRead_KeepsTheRoundAnswered()
    {
        await using var bed = await WebSearchBed.StartAsync();
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))));
        bed.Upstream.Enqueue(FakeReply.Status(503, """{"error":{"message":"over""").ThenHoldOpen().Signalling(written));

        using var leave = new CancellationTokenSource();
        var call = bed.Gateway.Client.PostAsync("v1/chat/completions",
            GatewayTestBed.Json($$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"{{Trigger}}"}]}"""), leave.Token);
        await written.Task;
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await bed.Upstream.WaitForAbortAsync();

        var row = await LeftRowAsync(bed);
        var leftBeforeTheStatus = row.GetProperty("usage_estimated").GetBoolean();
        Assert.Equal(FakeUpstream.PromptTokens + (leftBeforeTheStatus ? PromptSent(bed, 1) : 0), row.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, row.GetProperty("output_tokens").GetInt64());
    }

    /// <summary>Streams a chat call and hangs up once the answer's first data came (keep-alives are comments, no data).</summary>
    private static async Task LeaveOnceTheAnswerShowsAsync(WebSearchBed bed, string prompt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayTestBed.Json(
                $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{prompt}}"}]}"""),
        };
        var response = await bed.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("data: ", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            Assert.True(read > 0, $"the stream ended before its answer showed: {seen}");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        response.Dispose();
        await bed.Upstream.WaitForAbortAsync();
    }

    private static async Task<JsonElement> LeftRowAsync(WebSearchBed bed)
    {
        var row = Assert.Single(await bed.Gateway.WaitForLogsAsync(1));
        Assert.Equal(499, row.GetProperty("status_code").GetInt32());
        return row;
    }

    /// <summary>The prompt estimate of the body the upstream got in its request number <paramref name="index"/> (0 for the first).</summary>
    private static long PromptSent(WebSearchBed bed, int index) => TokenEstimator.CountInputTokens(Encoding.UTF8.GetBytes(bed.Upstream.Requests[index].Body));
}
