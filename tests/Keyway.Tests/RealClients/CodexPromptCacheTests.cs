using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Translation.AnthropicChat;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex CLI on a route translated to an Anthropic-protocol upstream: Codex cannot mark prompt-cache
/// breakpoints (the Responses API has none; OpenAI caches by itself), so Keyway marks them, or leaves the request
/// unmarked when KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS is off.
/// </summary>
public sealed class CodexPromptCacheTests
{
    [Fact]
    public async Task OnAnAnthropicRoute_ItsToolsInstructionsAndConversation_AreMarkedForCaching()
    {
        var request = await CodexRequestToTheAnthropicUpstreamAsync(breakpoints: true);

        Assert.Equal(3, CacheBreakpointsTests.Marks(request).Count);
        Assert.NotNull(request["tools"]!.AsArray()[^1]!["cache_control"]);
        Assert.NotNull(request["system"]!.AsArray()[^1]!["cache_control"]);
        Assert.NotNull(request["messages"]!.AsArray()[^1]!["content"]!.AsArray()[^1]!["cache_control"]);
    }

    [Fact]
    public async Task SwitchedOff_TheRequestCarriesNoBreakpoint()
    {
        var request = await CodexRequestToTheAnthropicUpstreamAsync(breakpoints: false);

        Assert.Empty(CacheBreakpointsTests.Marks(request));
    }

    private static async Task<JsonNode> CodexRequestToTheAnthropicUpstreamAsync(bool breakpoints)
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { AnthropicCacheBreakpoints = breakpoints });
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(bed.OpenAIBaseUrl, bed.Key, GatewayTestBed.AnthropicAlias, "Say hello.", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        var request = bed.Upstream.Requests.Single(r => r.Path.StartsWith("/v1/messages", StringComparison.Ordinal));
        return JsonNode.Parse(request.Body)!;
    }
}
