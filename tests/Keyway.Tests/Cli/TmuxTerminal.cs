using System.Globalization;
using Keyway.Tests.RealClients;

namespace Keyway.Tests.Cli;

/// <summary>
/// A program running in a real terminal: a detached tmux session on a server of its own (its own socket), read back
/// with capture-pane and typed into with send-keys. The program's exit code is written to a file when it ends.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _socket = $"keyway-test-{Guid.NewGuid():N}";
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private TmuxTerminal(string directory, IReadOnlyDictionary<string, string> environment)
    {
        _directory = directory;
        _environment = environment;
    }

    private string ExitFile => Path.Combine(_directory, "exit-code");

    /// <summary>Starts <paramref name="command"/> (program and arguments) in a 120×40 terminal in <paramref name="directory"/>.</summary>
    public static async Task<TmuxTerminal> StartAsync(string directory, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var terminal = new TmuxTerminal(directory, environment);
        var script = Path.Combine(directory, "run.sh");
        await File.WriteAllTextAsync(script, $"{string.Join(' ', command.Select(Quote))}\necho $? > {Quote(terminal.ExitFile)}\n");
        await terminal.TmuxAsync("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", $"sh {Quote(script)}");
        return terminal;
    }

    public Task<ProcessResult> KeysAsync(params string[] keys) => TmuxAsync(["send-keys", "-t", "main", .. keys]);

    /// <summary>Resizes the terminal, as a user dragging its window's corner: the program gets SIGWINCH.</summary>
    public Task<ProcessResult> ResizeAsync(int width, int height) =>
        TmuxAsync("resize-window", "-t", "main", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture));

    /// <summary>Polls the screen until it shows every one of <paramref name="parts"/>; returns that screen.</summary>
    public async Task<string> WaitForAsync(params string[] parts)
    {
        using var deadline = new CancellationTokenSource(WaitTimeout);
        var screen = "";
        while (!deadline.IsCancellationRequested)
        {
            screen = (await TmuxAsync("capture-pane", "-p", "-t", "main")).Stdout;
            if (parts.All(part => screen.Contains(part, StringComparison.Ordinal)))
            {
                return screen;
            }
            await Task.Delay(PollInterval, CancellationToken.None);
        }
        Assert.Fail($"the terminal did not show {string.Join(", ", parts)} within {WaitTimeout.TotalSeconds:0} s; it showed:\n{screen}");
        return screen;
    }

    /// <summary>Waits for the program to end and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var deadline = new CancellationTokenSource(WaitTimeout);
        while (!deadline.IsCancellationRequested)
        {
            if (File.Exists(ExitFile) && (await File.ReadAllTextAsync(ExitFile)).Trim() is { Length: > 0 } text)
            {
                return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }
            await Task.Delay(PollInterval, CancellationToken.None);
        }
        var screen = (await TmuxAsync("capture-pane", "-p", "-t", "main")).Stdout;
        Assert.Fail($"the program did not end within {WaitTimeout.TotalSeconds:0} s; the terminal shows:\n{screen}");
        return -1;
    }

    private async Task<ProcessResult> TmuxAsync(params string[] arguments)
    {
        var result = await ChildProcess.RunAsync("tmux", ["-L", _socket, .. arguments], _environment, _directory, CommandTimeout);
        Assert.True(result.ExitCode == 0, $"tmux {string.Join(' ', arguments)}: {result.Transcript}");
        return result;
    }

    private static string Quote(string part) => $"'{part.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    public async ValueTask DisposeAsync() =>
        await ChildProcess.RunAsync("tmux", ["-L", _socket, "kill-server"], _environment, _directory, CommandTimeout);
}
