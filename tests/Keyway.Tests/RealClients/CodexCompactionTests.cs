using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex compacting its history mid-turn through Keyway. With a custom provider (not named "OpenAI") Codex
/// 0.169 compacts locally: one more ordinary streamed POST /v1/responses that carries the history, no tools
/// (<c>"tools": []</c>) and its summarization prompt as the last user message; the summary the model answers becomes
/// the history of the next request. A tiny <c>model_auto_compact_token_limit</c> makes the first tool turn's usage
/// cross it, so one <c>codex exec</c> run compacts between the tool call and the answer. (Not on the Anthropic route:
/// there the summary merges into the user turn that asked for the tool, so the fake would call the tool forever.)
/// </summary>
public sealed class CodexCompactionTests
{
    private const string CompactionPrompt = "CONTEXT CHECKPOINT COMPACTION";
    private const string CompactAfterTheFirstAnswer = "model_auto_compact_token_limit = 5";
    private const string OpaqueCompaction = "opaque-fake-compaction";

    /// <summary>
    /// A server-side compaction answer: one <c>compaction</c> output item (https://developers.openai.com/api/docs/guides/compaction,
    /// item shape from https://platform.openai.com/docs/api-reference/responses/compact) in the events Codex reads.
    /// </summary>
    private const string CompactionStream =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_compact\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n"
        + "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"type\":\"compaction\",\"id\":\"cmp_fake\",\"encrypted_content\":\"" + OpaqueCompaction + "\"}}\n\n"
        + "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"type\":\"compaction\",\"id\":\"cmp_fake\",\"encrypted_content\":\"" + OpaqueCompaction + "\"}}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":3,\"response\":{\"id\":\"resp_compact\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"compaction\",\"id\":\"cmp_fake\",\"encrypted_content\":\"" + OpaqueCompaction + "\"}],"
        + "\"usage\":{\"input_tokens\":11,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":7,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":18}}}\n\n";

    /// <param name="responsesUpstream">Passed through to the provider's Responses endpoint, instead of translated to Chat.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AutoCompaction_SummarizesThroughTheRoute_AndTheNextRequestCarriesTheSummary(bool responsesUpstream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        if (responsesUpstream)
        {
            await RouteToTheResponsesEndpointAsync(bed);
        }

        var requests = await CompactingRunAsync(bed, providerName: "Keyway");

        var (turn, compaction, afterCompaction) = (requests[0].Strings(), requests[1].Strings(), requests[2].Strings());
        Assert.DoesNotContain(turn, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
        Assert.Contains(compaction, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
        // The summary is the fake's answer to the compaction request; it replaced the tool call in the history.
        var summary = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);
        Assert.Contains(afterCompaction, text => text.Contains(summary, StringComparison.Ordinal));
        Assert.DoesNotContain(afterCompaction, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
    }

    /// <summary>
    /// A provider named "OpenAI" (also the built-in one pointed at Keyway with <c>openai_base_url</c>) makes Codex compact
    /// server-side: a Responses request ending in a <c>compaction_trigger</c> item, whose answer must be one opaque
    /// <c>compaction</c> item, and Codex does not fall back to local compaction. On a Chat route Keyway has the route's
    /// model write the summary, answers with its own compaction item, and reads that item back as the summary when
    /// Codex sends it in its next request.
    /// </summary>
    [Fact]
    public async Task ServerSideCompaction_OnAChatRoute_IsDoneByKeyway_WithTheRoutesModel()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var requests = await CompactingRunAsync(bed, providerName: "OpenAI");

        var compaction = requests[1].Json;
        Assert.Equal(KeywayCompaction.Prompt, compaction.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString());
        Assert.False(compaction.TryGetProperty("tools", out _));
        // The summary is the fake's answer to the compaction request; Codex carried Keyway's item, read back as it.
        var summary = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);
        Assert.Contains(requests[2].Strings(), text => text == KeywayCompaction.SummaryPreface + summary);
    }

    /// <summary>
    /// On a route to a Responses upstream the same server-side compaction passes through untouched: the
    /// <c>compaction_trigger</c> goes up, the upstream's opaque <c>compaction</c> item comes back, and Codex sends it
    /// up again as the history of its next request.
    /// </summary>
    [Fact]
    public async Task ServerSideCompaction_OnAResponsesRoute_PassesTheCompactionItemThrough()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await RouteToTheResponsesEndpointAsync(bed);
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.Status(200, CompactionStream, contentType: "text/event-stream"));

        var requests = await CompactingRunAsync(bed, providerName: "OpenAI");

        Assert.Equal("compaction_trigger", requests[1].Json.GetProperty("input").EnumerateArray().Last().GetProperty("type").GetString());
        var carried = requests[2].Json.GetProperty("input").EnumerateArray().Single(item => item.GetProperty("type").GetString() == "compaction");
        Assert.Equal(OpaqueCompaction, carried.GetProperty("encrypted_content").GetString());
    }

    /// <summary>
    /// One <c>codex exec</c> that calls a tool and compacts after its first answer: it succeeds, its three upstream
    /// requests (the turn, the compaction, the next) are returned, and each is logged 200.
    /// </summary>
    private static async Task<IReadOnlyList<RecordedRequest>> CompactingRunAsync(GatewayTestBed bed, string providerName)
    {
        using var home = new TempDirectory();
        var run = await Codex.RunAsync(
            bed.OpenAIBaseUrl, bed.Key, GatewayTestBed.OpenAIAlias, $"{FakeUpstream.ToolTrigger} exec_command", home.Path, home.Path,
            topLevelConfig: CompactAfterTheFirstAnswer, providerName: providerName);
        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        var requests = bed.Upstream.Requests;
        Assert.Equal(3, requests.Count);
        var logs = await bed.WaitForLogsAsync(3);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
        return requests;
    }

    /// <summary>The OpenAI provider gets a native Responses endpoint (the fake's own), so Codex's calls pass through untranslated.</summary>
    private static Task RouteToTheResponsesEndpointAsync(GatewayTestBed bed) =>
        AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["openai-responses"] = new Uri(bed.Upstream.BaseAddress, "v1").ToString() },
        });
}
