using System.Globalization;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>Claude Code in print mode (<c>claude -p … --output-format json</c>) pointed at a Keyway test bed.</summary>
public static class ClaudeCode
{
    /// <summary>The tools Claude Code may run without asking; Read is enough to prove a tool round trip.</summary>
    public const string AllowedTools = "Read";

    /// <summary>The smallest auto-compaction window Claude Code accepts in <c>CLAUDE_CODE_AUTO_COMPACT_WINDOW</c>, in tokens.</summary>
    public const int SmallestAutoCompactWindow = 100_000;

    /// <summary>Runs one prompt; returns the process result and the JSON object of its last stdout line.</summary>
    /// <param name="continueSession">Continues the last conversation of <paramref name="workingDirectory"/> (<c>--continue</c>).</param>
    /// <param name="autoCompactWindow">
    /// <c>CLAUDE_CODE_AUTO_COMPACT_WINDOW</c>: without it Claude Code never compacts on its own for a model it does not know, such as the alias.
    /// </param>
    public static async Task<(ProcessResult Process, JsonElement Result)> RunAsync(
        GatewayTestBed bed,
        string prompt,
        string home,
        string workingDirectory,
        string alias = GatewayTestBed.AnthropicAlias,
        bool continueSession = false,
        int? autoCompactWindow = null,
        IReadOnlyDictionary<string, string>? credentials = null)
    {
        string[] arguments = [NodeClients.ClaudeCodeLauncher, .. continueSession ? ["--continue"] : Array.Empty<string>(),
            "-p", prompt, "--output-format", "json", "--allowedTools", AllowedTools];
        var process = await NodeClients.RunAsync(
            NodeClients.Node,
            arguments,
            home,
            Environment(bed, alias, autoCompactWindow, credentials),
            workingDirectory);
        Assert.True(process.ExitCode == 0, $"claude failed.\n{process.Transcript}");
        JsonElement result;
        try
        {
            result = JsonDocument.Parse(process.LastLine).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"claude's last line is not JSON.\n{process.Transcript}");
            throw;
        }
        return (process, result);
    }

    /// <summary>
    /// The variables of REAL-CLIENTS.md: Keyway as the API, the issued key as a Bearer token (or the
    /// <paramref name="credentials"/> variables given instead), every model slot on the alias; and the auto-compaction
    /// window when one is given.
    /// </summary>
    private static Dictionary<string, string> Environment(
        GatewayTestBed bed, string alias, int? autoCompactWindow, IReadOnlyDictionary<string, string>? credentials)
    {
        var environment = new Dictionary<string, string>(credentials ?? new Dictionary<string, string> { ["ANTHROPIC_AUTH_TOKEN"] = bed.Key })
        {
            ["ANTHROPIC_BASE_URL"] = bed.Server.BaseAddress.ToString().TrimEnd('/'),
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
            ["CLAUDE_CODE_MAX_RETRIES"] = "0",
        };
        foreach (var slot in new[] { "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL" })
        {
            environment[slot] = alias;
        }
        if (autoCompactWindow is { } window)
        {
            environment["CLAUDE_CODE_AUTO_COMPACT_WINDOW"] = window.ToString(CultureInfo.InvariantCulture);
        }
        return environment;
    }
}
