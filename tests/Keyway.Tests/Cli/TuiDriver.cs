using Keyway.Cli.Tui;
using Spectre.Console;
using Spectre.Console.Rendering;
using Spectre.Console.Testing;

namespace Keyway.Tests.Cli;

/// <summary>
/// `keyway tui` on a Spectre TestConsole: the steps of a scenario (keys, resizes of the terminal, pauses) are queued
/// first, then the TUI runs until its q. Every frame it drew stays in <see cref="TestConsole.Output"/> (a screen clear
/// leaves only its escape codes there).
/// </summary>
public sealed class TuiDriver : IDisposable
{
    /// <summary>How long a resize waits for the TUI to draw again before the scenario goes on without it.</summary>
    private static readonly TimeSpan RedrawWait = TimeSpan.FromSeconds(5);

    private readonly ScriptedConsole _console;

    public TuiDriver() => _console = new ScriptedConsole(Console);

    public TestConsole Console { get; } = new TestConsole().Interactive().Width(160).Height(200);

    public static ConsoleKeyInfo Key(ConsoleKey key) => new('\0', key, false, false, false);

    public static ConsoleKeyInfo Char(char c) => new(c, ConsoleKey.NoName, char.IsUpper(c), false, false);

    public TuiDriver Down(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Press(Key(ConsoleKey.DownArrow));
        }
        return this;
    }

    public TuiDriver Enter() => Press(Key(ConsoleKey.Enter));

    /// <summary>Home, down to the item at <paramref name="index"/>, then Enter (menus keep their cursor between showings).</summary>
    public TuiDriver Choose(int index) => Press(Key(ConsoleKey.Home)).Down(index).Enter();

    public TuiDriver Esc() => Press(Key(ConsoleKey.Escape));

    public TuiDriver End() => Press(Key(ConsoleKey.End));

    /// <summary>Types into a text field and presses Enter.</summary>
    public TuiDriver Type(string text)
    {
        foreach (var c in text)
        {
            Press(Char(c));
        }
        return Enter();
    }

    public TuiDriver Quit() => Press(Char('q'));

    /// <summary>
    /// What the TUI drew after the last <see cref="Resize"/>, from the screen clear before it, by the time the next key
    /// was read; null when it did not clear and draw again within <see cref="RedrawWait"/>.
    /// </summary>
    public List<string>? ScreenAfterResize => ScreensAfterResizes.LastOrDefault();

    /// <summary>As <see cref="ScreenAfterResize"/>, one for each <see cref="Resize"/> of the scenario, in order.</summary>
    public List<List<string>?> ScreensAfterResizes { get; } = [];

    /// <summary>
    /// Resizes the terminal once the keys before it were read, then holds the next key back until the TUI cleared the
    /// screen and drew again (or <see cref="RedrawWait"/> passed), as a user looks at the redrawn screen before typing on.
    /// </summary>
    public TuiDriver Resize(int width, int height) => Then(async console =>
    {
        var redrawn = console.NextRedrawAsync();
        Console.Width(width).Height(height);
        ScreensAfterResizes.Add(await Task.WhenAny(redrawn, Task.Delay(RedrawWait)) == redrawn ? (await redrawn).Split('\n').ToList() : null);
    });

    /// <summary>Waits before the next key, the screen left as it is.</summary>
    public TuiDriver Pause(TimeSpan time) => Then(_ => Task.Delay(time));

    private TuiDriver Press(ConsoleKeyInfo key)
    {
        _console.Script.Enqueue(_ => Task.FromResult<ConsoleKeyInfo?>(key));
        return this;
    }

    private TuiDriver Then(Func<ScriptedConsole, Task> action)
    {
        _console.Script.Enqueue(async console =>
        {
            await action(console);
            return null;
        });
        return this;
    }

    /// <summary>Runs `keyway tui` through <paramref name="cli"/> and asserts it exits with 0; returns everything it drew.</summary>
    public async Task<string> RunAsync(CliRunner cli)
    {
        var error = new StringWriter();
        var exit = await cli.RunAsync(cli.Context(TextWriter.Null, error) with { Console = _console }, ["tui"], CancellationToken.None);
        Assert.True(exit == 0, $"keyway tui → {exit}: {error}\n{Console.Output}");
        return Console.Output;
    }

    /// <summary>A screen's title line, a rule across the terminal's <paramref name="width"/>.</summary>
    public static string TitleRule(string title, int width)
    {
        using var ruler = new TestConsole().Width(width);
        ruler.Write(TuiView.Title(title));
        return ruler.Output.TrimEnd('\n');
    }

    public void Dispose() => Console.Dispose();

    /// <summary>
    /// The test console as the TUI sees it, its keys read from the scenario's steps: each step answers a key, or does
    /// something (null) before the next step is taken.
    /// </summary>
    private sealed class ScriptedConsole(TestConsole console) : IAnsiConsole, IAnsiConsoleInput
    {
        private TaskCompletionSource<string>? _redraw;

        private int _clearedAt = -1;

        public Queue<Func<ScriptedConsole, Task<ConsoleKeyInfo?>>> Script { get; } = new();

        public Profile Profile => console.Profile;

        public IAnsiConsoleCursor Cursor => console.Cursor;

        public IAnsiConsoleInput Input => this;

        public IExclusivityMode ExclusivityMode => console.ExclusivityMode;

        public RenderPipeline Pipeline => console.Pipeline;

        public void Clear(bool home)
        {
            console.Clear(home);
            _clearedAt = console.Output.Length;
        }

        public void Write(IRenderable renderable)
        {
            console.Write(renderable);
            Drawn();
        }

        public void WriteAnsi(Action<AnsiWriter> action)
        {
            console.WriteAnsi(action);
            Drawn();
        }

        /// <summary>Completes with what is drawn since the screen clear, at the first drawing after a clear after this call.</summary>
        public Task<string> NextRedrawAsync()
        {
            _clearedAt = -1;
            _redraw = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _redraw.Task;
        }

        public bool IsKeyAvailable() => Script.Count > 0;

        public ConsoleKeyInfo? ReadKey(bool intercept) => throw new NotSupportedException("the TUI reads keys asynchronously");

        public async Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken)
        {
            while (Script.TryDequeue(out var step))
            {
                if (await step(this) is { } key)
                {
                    return key;
                }
            }
            throw new InvalidOperationException("the scenario ran out of keys before the TUI ended: end it with Quit()");
        }

        private void Drawn()
        {
            if (_clearedAt >= 0)
            {
                _redraw?.TrySetResult(console.Output[_clearedAt..]);
            }
        }
    }
}
