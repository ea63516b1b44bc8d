using Keyway.Tests.Infrastructure;
using Keyway.Tests.RealClients;

namespace Keyway.Tests.Binary;

/// <summary>The README's first command, <c>dotnet run --project src/Keyway</c>, run from the directory it is typed in.</summary>
public sealed class DotnetRunTests
{
    [Fact]
    public async Task DotnetRun_KeepsDataDirAndEnvFileInTheCallersDirectory()
    {
        using var caller = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(caller.Path, ".env"), "KEYWAY_PORT=19876\n");
        var environment = KeywayBinary.Environment(caller.Path);
        environment.Remove("KEYWAY_DATA_DIR");
        environment.Remove("KEYWAY_PORT");
        var project = Path.Combine(RepoRoot.Path, "src", "Keyway");
        string[] arguments = ["run", "--no-build", "--project", project, "-c", KeywayBinary.Configuration, "--", "config", "show"];

        var shown = await ChildProcess.RunAsync("dotnet", arguments, environment, caller.Path, TimeSpan.FromSeconds(120));

        Assert.True(shown.ExitCode == 0, shown.Transcript);
        Assert.Matches(@"KEYWAY_DATA_DIR\s+" + System.Text.RegularExpressions.Regex.Escape(Path.Combine(caller.Path, "data")) + @"\s", shown.Stdout);
        Assert.Matches(@"KEYWAY_PORT\s+19876\s", shown.Stdout);
    }
}
