namespace Keyway.Tests.RealClients;

/// <summary>
/// The real clients installed by <c>npm ci --prefix tests/clients</c> (Claude Code, Codex, the OpenAI and Anthropic
/// Node SDKs) and the way every test runs them: in a throw-away home directory, with only the variables the client needs.
/// </summary>
public static class NodeClients
{
    /// <summary>Install scripts are not needed: Claude Code is started through its package's own launcher (see <see cref="ClaudeCodeLauncher"/>).</summary>
    public const string InstallCommand = "npm ci --prefix tests/clients --ignore-scripts --no-audit --no-fund";

    /// <summary>Long enough for a cold start of a client on a loaded 2-core machine; a hung client fails the test.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string ClientsDirectory => Path.Combine(RepoRoot.Path, "tests", "clients");

    /// <summary>tests/clients/node_modules; fails the test with the install command when it is missing.</summary>
    public static string ModulesDirectory
    {
        get
        {
            var modules = Path.Combine(ClientsDirectory, "node_modules");
            if (!Directory.Exists(Path.Combine(modules, ".bin")))
            {
                Assert.Fail(Environment.GetEnvironmentVariable("CI") is { Length: > 0 }
                    ? $"The real clients are not installed in {modules}: tools/test.sh installs them ({InstallCommand}); run the tests through it."
                    : $"The real clients are not installed in {modules}. Run the tests with bash tools/test.sh, or first: {InstallCommand}");
            }
            return modules;
        }
    }

    /// <summary>An executable of node_modules/.bin, e.g. <c>claude</c> or <c>codex</c>.</summary>
    public static string Bin(string name) => Path.Combine(ModulesDirectory, ".bin", name);

    /// <summary>
    /// Claude Code's launcher script, run with node: it execs the platform's native binary from the optional dependency.
    /// (node_modules/.bin/claude is a stub until the package's postinstall replaces it, which <c>--ignore-scripts</c> skips.)
    /// </summary>
    public static string ClaudeCodeLauncher => Path.Combine(ModulesDirectory, "@anthropic-ai", "claude-code", "cli-wrapper.cjs");

    /// <summary>The node executable found on PATH.</summary>
    public static string Node => "node";

    /// <summary>Runs a client with HOME set to <paramref name="home"/> and the working directory <paramref name="workingDirectory"/>.</summary>
    public static Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string home,
        IReadOnlyDictionary<string, string> environment,
        string? workingDirectory = null)
    {
        var withHome = new Dictionary<string, string>(environment) { ["HOME"] = home, ["TMPDIR"] = Path.GetTempPath() };
        return ChildProcess.RunAsync(fileName, arguments, withHome, workingDirectory ?? home, Timeout);
    }

    /// <summary>Runs one of the .mjs scripts of tests/clients with node; its imports resolve from the node_modules beside it.</summary>
    public static Task<ProcessResult> RunScriptAsync(string script, string home, IReadOnlyDictionary<string, string> environment)
    {
        var path = Path.Combine(Path.GetDirectoryName(ModulesDirectory)!, script);
        return RunAsync(Node, [path], home, environment);
    }
}
