using Keyway.Cli;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.RealClients;

namespace Keyway.Tests.Binary;

/// <summary>
/// <c>dotnet keyway.dll</c> under a low <c>ulimit -n</c> (soft and hard, so nothing can raise it). From about 60 open files
/// the command line runs and refuses the start for a limit below <see cref="OpenFileLimit.NeededToServe"/>, naming it.
/// Below that each assembly .NET loads takes a file, so the start meets the limit at a load wherever it falls (the
/// console's, the command-line parser's, the refusal code's own), and is refused in one line too, never with .NET's
/// stack trace. Which of the two lines a limit near 60 gets depends on the runtime's own files: both are accepted there.
/// </summary>
public sealed class OpenFileLimitTests
{
    private const string MetTheLimit =
        "keyway: could not start: .NET met the limit of open files. Keyway may open no more files (EMFILE, its limit of open files): " +
        "raise that limit, `ulimit -n` in the shell that starts it or LimitNOFILE= in its systemd unit, then start Keyway again.\n";

    [Theory]
    [InlineData(30)]
    [InlineData(40)]
    [InlineData(50)]
    [InlineData(60)]
    public async Task LimitTooLowForDotNet_IsRefusedInOneLine(int limit)
    {
        var result = await ServeUnderAsync(limit);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Stderr, new[] { MetTheLimit, TooLowToServe(limit) });
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(512)]
    [InlineData(1023)]
    public async Task LimitBelowWhatServingNeeds_IsRefusedNamingIt(int limit)
    {
        var result = await ServeUnderAsync(limit);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(TooLowToServe(limit), result.Stderr);
    }

    [Fact]
    public async Task TheLeastLimit_Serves()
    {
        using var dir = new TempDirectory();

        await using var keyway = await KeywayProcess.StartAsync(KeywayBinary.Environment(dir.Path), dir.Path, openFileLimit: (int)OpenFileLimit.NeededToServe);

        Assert.True((await keyway.Http.GetAsync("/health")).IsSuccessStatusCode, keyway.Output);
        Assert.Equal(0, await keyway.StopAsync());
    }

    private static string TooLowToServe(int limit) =>
        $"keyway: could not start: Keyway may open at most {limit} files, fewer than the 1024 it needs to serve (each client connection, " +
        "upstream connection and database file takes one): raise that limit, `ulimit -n` in the shell that starts it or LimitNOFILE= in its " +
        "systemd unit, then start Keyway again.\n";

    private static async Task<ProcessResult> ServeUnderAsync(int limit)
    {
        using var dir = new TempDirectory();
        return await ChildProcess.RunAsync(
            "bash", ["-c", $"ulimit -n {limit} && exec dotnet \"$0\" serve", KeywayBinary.DllPath],
            KeywayBinary.Environment(dir.Path), dir.Path, TimeSpan.FromSeconds(60));
    }
}
