using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Keyway.Tests.RealClients;

namespace Keyway.Tests.Binary;

/// <summary>
/// The built Keyway executable running as a separate process; ready once it printed its "listening on" banner.
/// <see cref="StopAsync"/> sends SIGTERM (a graceful stop, as systemd or docker do); disposing kills what is left.
/// </summary>
public sealed partial class KeywayProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private KeywayProcess(Process process, StringBuilder output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>A client without credentials.</summary>
    public HttpClient Http { get; }

    /// <summary>Everything the process printed so far, for assertion messages.</summary>
    public string Output => Snapshot(_output);

    /// <param name="openFileLimit">The limit of open files it starts with (<c>ulimit -n</c>, soft and hard); null for this process's.</param>
    public static async Task<KeywayProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, int? openFileLimit = null)
    {
        var start = openFileLimit is { } limit
            ? ChildProcess.StartInfo("bash", ["-c", $"ulimit -n {limit} && exec dotnet \"$0\"", KeywayBinary.DllPath], environment, workingDirectory)
            : ChildProcess.StartInfo("dotnet", [KeywayBinary.DllPath], environment, workingDirectory);
        var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) => Observe(output, line.Data, listening);
        process.ErrorDataReceived += (_, line) => Observe(output, line.Data, listening: null);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(StartTimeout));
        if (first != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var text = Snapshot(output);
            process.Dispose();
            Assert.Fail($"keyway did not print its listening address (exited: {first == exited}).\n{text}");
        }
        return new KeywayProcess(process, output, await listening.Task);
    }

    /// <summary>Sends SIGTERM and waits for the process to end; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        Terminate();
        return await WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and returns at once: the process drains its requests while the test watches.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, SigTerm));

    /// <summary>Waits for the process to end (after <see cref="Terminate"/>); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static void Observe(StringBuilder output, string? line, TaskCompletionSource<Uri>? listening)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
        if (listening is not null && ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups["address"].Value.TrimEnd('/') + "/"));
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"listening on (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
