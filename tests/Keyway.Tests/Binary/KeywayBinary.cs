using Keyway.Tests.RealClients;

namespace Keyway.Tests.Binary;

/// <summary>
/// The shipped executable: <c>src/Keyway/bin/&lt;Configuration&gt;/net10.0/keyway.dll</c> of the configuration these
/// tests were built with, run with <c>dotnet</c> — so reflection-based JSON is off as in production.
/// </summary>
public static class KeywayBinary
{
    public const string Secret = "binary-test-secret-0123456789abcdef";
    public const string AdminToken = "binary-test-admin-token";

    // The test assembly lives in tests/Keyway.Tests/bin/<Configuration>/<tfm>/.
    private static DirectoryInfo TfmDirectory => new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    /// <summary>The configuration these tests were built with (<c>Release</c>, <c>Debug</c>).</summary>
    public static string Configuration =>
        TfmDirectory.Parent?.Name ?? throw new InvalidOperationException($"No configuration above {TfmDirectory}.");

    public static string DllPath
    {
        get
        {
            var dll = Path.Combine(RepoRoot.Path, "src", "Keyway", "bin", Configuration, TfmDirectory.Name, "keyway.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in {Configuration} first.");
            return dll;
        }
    }

    /// <summary>The variables of a normal start on a free port; <paramref name="overrides"/> replace or add to them.</summary>
    public static Dictionary<string, string> Environment(string dataDir, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = dataDir,
            ["KEYWAY_HOST"] = "127.0.0.1",
            ["KEYWAY_PORT"] = "0",
            ["KEYWAY_DATA_DIR"] = dataDir,
            ["KEYWAY_SECRET"] = Secret,
            ["KEYWAY_ADMIN_TOKEN"] = AdminToken,
            ["KEYWAY_LOG_LEVEL"] = "warning",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>
    /// Runs the executable with <paramref name="arguments"/> (none: serving, so a refused start) until it exits by itself,
    /// in <paramref name="workingDirectory"/>, its output read through pipes.
    /// </summary>
    public static Task<ProcessResult> RunToExitAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] arguments) =>
        ChildProcess.RunAsync("dotnet", [DllPath, .. arguments], environment, workingDirectory, TimeSpan.FromSeconds(60));
}
