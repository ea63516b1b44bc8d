using System.Text.Json;
using Keyway.Cli;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>Runs `keyway …` in-process against a test server, with captured output and its own working directory.</summary>
public sealed class CliRunner(KeywayServer? server, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await RunAsync(Context(output, error), args, CancellationToken.None);
        return new Result(exit, output.ToString(), error.ToString());
    }

    /// <summary>A context over the given writers, with this runner's environment and working directory.</summary>
    public CliContext Context(TextWriter output, TextWriter error) =>
        new(output, error, environment ?? new Dictionary<string, string>(), workingDirectory);

    /// <summary>Runs with a context of the test's own (its clock, writers read while the command runs) until cancelled.</summary>
    public Task<int> RunAsync(CliContext context, string[] args, CancellationToken cancellationToken)
    {
        string[] connection = server is null ? [] : ["--url", server.BaseAddress.ToString(), "--token", KeywayServer.AdminToken];
        return KeywayCli.RunAsync([.. args, .. connection], context, cancellationToken);
    }

    /// <summary>Runs and asserts exit code 0; the --json answer is parsed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"keyway {string.Join(' ', args)} → {result.ExitCode}: {result.Error}{result.Out}");
        return result.Json;
    }
}
