using System.Diagnostics;
using System.Text;

namespace Keyway.Tests.RealClients;

/// <summary>
/// Runs a program to its end with exactly the environment it is given (plus PATH), capturing stdout and stderr.
/// A process still running at the timeout is killed with its whole tree and the test fails with its output so far.
/// </summary>
public static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, arguments, environment, workingDirectory) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, line) => Append(stdout, line.Data);
        process.ErrorDataReceived += (_, line) => Append(stderr, line.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            var partial = new ProcessResult(-1, Read(stdout), Read(stderr));
            Assert.Fail($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s and was killed.\n{partial.Transcript}");
        }
        return new ProcessResult(process.ExitCode, Read(stdout), Read(stderr));
    }

    /// <summary>A start description with a cleared environment: only PATH and <paramref name="environment"/> reach the child.</summary>
    public static ProcessStartInfo StartInfo(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        info.Environment.Clear();
        info.Environment["PATH"] = path;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return info;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
