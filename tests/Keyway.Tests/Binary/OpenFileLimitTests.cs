using Keyway.Tests.Infrastructure;
using Keyway.Tests.RealClients;

namespace Keyway.Tests.Binary;

/// <summary>
/// <c>dotnet keyway.dll</c> under a low <c>ulimit -n</c>: each assembly .NET loads takes a file, so the start meets the
/// limit at a load wherever it falls (the console's assembly at 30 open files, the command-line parser's at 40, the
/// refusal code's own at 60, the web host's at 80 to 150, the socket engine at 200 on this runtime), and is refused in
/// the one line and exit code of the other start-up refusals, never with .NET's stack trace.
/// </summary>
public sealed class OpenFileLimitTests
{
    [Theory]
    [InlineData(30)]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(100)]
    [InlineData(150)]
    [InlineData(200)]
    public async Task LowOpenFileLimit_UnderDotnet_IsRefusedInOneLine(int limit)
    {
        using var dir = new TempDirectory();

        var result = await ChildProcess.RunAsync(
            "bash", ["-c", $"ulimit -n {limit} && exec dotnet \"$0\" serve", KeywayBinary.DllPath],
            KeywayBinary.Environment(dir.Path), dir.Path, TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "keyway: could not start: .NET met the limit of open files. Keyway may open no more files (EMFILE, its limit of open files): " +
            "raise that limit, `ulimit -n` in the shell that starts it or LimitNOFILE= in its systemd unit, then start Keyway again.\n",
            result.Stderr);
    }
}
