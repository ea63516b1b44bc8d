using System.Text.Json;
using System.Text.Json.Nodes;
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

    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, true)]
    public async Task AutoCompaction_SummarizesThroughTheRoute_AndTheNextRequestCarriesTheSummary(string alias, string upstreamModel, bool responsesUpstream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        if (responsesUpstream)
        {
            await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
            {
                ["native_endpoints"] = new JsonObject { ["openai-responses"] = new Uri(bed.Upstream.BaseAddress, "v1").ToString() },
            });
        }
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(
            bed.OpenAIBaseUrl, bed.Key, alias, $"{FakeUpstream.ToolTrigger} exec_command", home.Path, home.Path,
            topLevelConfig: CompactAfterTheFirstAnswer);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        var requests = bed.Upstream.Requests;
        Assert.Equal(3, requests.Count);
        var (turn, compaction, afterCompaction) = (Strings(requests[0]), Strings(requests[1]), Strings(requests[2]));
        Assert.DoesNotContain(turn, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
        Assert.Contains(compaction, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
        // The summary is the fake's answer to the compaction request; it replaced the tool call in the history.
        var summary = FakeUpstream.ReplyText(upstreamModel);
        Assert.Contains(afterCompaction, text => text.Contains(summary, StringComparison.Ordinal));
        Assert.DoesNotContain(afterCompaction, text => text.Contains(CompactionPrompt, StringComparison.Ordinal));
        var logs = await bed.WaitForLogsAsync(3);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
    }

    /// <summary>
    /// A provider named "OpenAI" (also the built-in one pointed at Keyway with <c>openai_base_url</c>) makes Codex compact
    /// server-side: a Responses request ending in a <c>compaction_trigger</c> item, whose answer must be one opaque
    /// <c>compaction</c> item. A Chat route cannot write one, and Codex does not fall back to local compaction on an
    /// error, so Keyway refuses it with a 400 that says why rather than let the model answer text Codex cannot use.
    /// </summary>
    [Fact]
    public async Task ServerSideCompaction_OnAChatRoute_IsRefusedWithTheReason()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(
            bed.OpenAIBaseUrl, bed.Key, GatewayTestBed.OpenAIAlias, $"{FakeUpstream.ToolTrigger} exec_command", home.Path, home.Path,
            topLevelConfig: CompactAfterTheFirstAnswer, providerName: "OpenAI");

        Assert.False(run.TurnCompleted, run.Process.Transcript);
        Assert.Contains("compaction_trigger (server-side compaction) needs an OpenAI Responses upstream", run.Process.Stdout);
        Assert.Single(bed.Upstream.Requests);
        var logs = await bed.WaitForLogsAsync(2);
        Assert.Equal([400, 200], logs.Select(log => log.GetProperty("status_code").GetInt32()));
    }

    /// <summary>Every string value of the request body, at any depth: where the text sits differs per upstream protocol.</summary>
    private static List<string> Strings(RecordedRequest request)
    {
        var strings = new List<string>();
        Collect(request.Json, strings);
        return strings;
    }

    private static void Collect(JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, strings);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, strings);
                }
                break;
        }
    }
}
