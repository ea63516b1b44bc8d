using Keyway.Configuration;
using Spectre.Console;

namespace Keyway.Cli;

/// <summary>
/// What a command may touch outside itself: where it writes, the environment it reads and the working directory.
/// Tests build one over string writers and a temp dir; the process builds one over the real console.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    /// <summary>
    /// Tables and progress for people; <see cref="Out"/> stays the place for plain and JSON output. Made on first use:
    /// plain `keyway` (serving) never loads Spectre.Console, 1.2 MB of idle RSS (bench/idle-rss.sh).
    /// </summary>
    public IAnsiConsole Console { get => field ??= CreateConsole(Out); init; }

    /// <summary>
    /// Progress for people, on stderr: stdout stays the answer alone, so `keyway e2e --json` parses and `keyway e2e | head`
    /// reads the table alone. Made on first use, as <see cref="Console"/>.
    /// </summary>
    public IAnsiConsole ErrorConsole { get => field ??= CreateConsole(Error); init; }

    /// <summary>The clock that paces polling commands (logs --follow); tests give a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A setting from the environment, then ./.env (as the server reads them); null when unset or empty.</summary>
    public string? Get(string name) =>
        Environment.TryGetValue(name, out var value) && value.Length > 0 ? value
        : DotEnv.TryGetValue(name, out value) && value.Length > 0 ? value
        : null;

    /// <summary>The data dir the server of this working directory uses (KEYWAY_DATA_DIR, default ./data).</summary>
    public string DataDir => Path.GetFullPath(Get("KEYWAY_DATA_DIR") ?? "./data", WorkingDirectory);

    private IReadOnlyDictionary<string, string> DotEnv => field ??= EnvFile.Read(Path.Combine(WorkingDirectory, ".env"));

    private const int RedirectedWidth = 4096;

    public static CliContext FromProcess()
    {
        var environment = System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        return new CliContext(System.Console.Out, System.Console.Error, environment, Directory.GetCurrentDirectory());
    }

    /// <summary>
    /// The process's own consoles are Spectre's, which detect colours, width and a terminal; any other writer gets a plain one.
    /// Output into a pipe or a file gets rows as wide as their cells (Spectre would wrap them at 80 columns), so that
    /// `keyway logs | grep 429` finds whole rows.
    /// </summary>
    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        if (writer == System.Console.Out)
        {
            if (System.Console.IsOutputRedirected)
            {
                AnsiConsole.Console.Profile.Width = RedirectedWidth;
            }
            return AnsiConsole.Console;
        }
        if (writer == System.Console.Error)
        {
            // Spectre detects a terminal on stderr as on stdout: a live bar there, plain milestone lines into a pipe.
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return console;
    }
}
