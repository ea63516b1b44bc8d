using Spectre.Console.Testing;

namespace Keyway.Tests.Cli;

/// <summary>
/// `keyway tui` on a Spectre TestConsole: the keys of a scenario are queued first, then the TUI runs until its q.
/// Every frame it drew stays in <see cref="TestConsole.Output"/> (the test console ignores screen clears).
/// </summary>
public sealed class TuiDriver : IDisposable
{
    public TestConsole Console { get; } = new TestConsole().Interactive().Width(160).Height(200);

    public TuiDriver Down(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Console.Input.PushKey(ConsoleKey.DownArrow);
        }
        return this;
    }

    public TuiDriver Enter()
    {
        Console.Input.PushKey(ConsoleKey.Enter);
        return this;
    }

    /// <summary>Down to the item at <paramref name="index"/> of a fresh menu, then Enter.</summary>
    public TuiDriver Choose(int index) => Down(index).Enter();

    public TuiDriver Esc()
    {
        Console.Input.PushKey(ConsoleKey.Escape);
        return this;
    }

    /// <summary>Types into a text field and presses Enter.</summary>
    public TuiDriver Type(string text)
    {
        Console.Input.PushTextWithEnter(text);
        return this;
    }

    public TuiDriver Quit()
    {
        Console.Input.PushCharacter('q');
        return this;
    }

    /// <summary>Runs `keyway tui` through <paramref name="cli"/> and asserts it exits with 0; returns everything it drew.</summary>
    public async Task<string> RunAsync(CliRunner cli)
    {
        var error = new StringWriter();
        var exit = await cli.RunAsync(cli.Context(TextWriter.Null, error) with { Console = Console }, ["tui"], CancellationToken.None);
        Assert.True(exit == 0, $"keyway tui → {exit}: {error}\n{Console.Output}");
        return Console.Output;
    }

    public void Dispose() => Console.Dispose();
}
