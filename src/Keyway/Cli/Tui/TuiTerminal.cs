using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// The TUI's screen and keyboard: draws one screen at a time and reads keys for menus, text fields and messages.
/// q in a menu or a message cancels the session's token, which unwinds every screen at once; Esc answers null (back).
/// </summary>
public sealed class TuiTerminal(IAnsiConsole console, CancellationTokenSource session)
{
    public IAnsiConsole Console => console;

    public CancellationToken Token => session.Token;

    /// <summary>The value of the chosen item, or null when the user went back.</summary>
    public async Task<T?> ChooseAsync<T>(string title, IRenderable? header, IReadOnlyList<MenuItem<T>> items) where T : class
    {
        var menu = new MenuState<T>(items);
        while (true)
        {
            Draw(TuiView.Menu(title, header, menu));
            switch (menu.Handle(await ReadKeyAsync()))
            {
                case MenuOutcome.Chosen:
                    return menu.Selected;
                case MenuOutcome.Back:
                    return null;
                case MenuOutcome.Quit:
                    throw Quit();
            }
        }
    }

    /// <summary>
    /// A menu of actions shown until Esc: built anew before each showing (what it lists changes), each chosen action
    /// attempted (a refusal is shown and the menu stays).
    /// </summary>
    public async Task LoopAsync(string title, Func<Task<(IRenderable? Header, IReadOnlyList<MenuItem<Func<Task>>> Items)>> build)
    {
        while (true)
        {
            var (header, items) = await build();
            if (await ChooseAsync(title, header, items) is not { } action)
            {
                return;
            }
            await AttemptAsync(action);
        }
    }

    /// <summary>The typed text, trimmed; null when cancelled or left empty.</summary>
    public async Task<string?> AskAsync(string title, string prompt, string initial = "")
    {
        var editor = new LineEditor(initial);
        while (true)
        {
            Draw(TuiView.Field(title, prompt, editor.Text));
            switch (editor.Handle(await ReadKeyAsync()))
            {
                case LineOutcome.Submitted:
                    return editor.Text.Trim() is { Length: > 0 } text ? text : null;
                case LineOutcome.Cancelled:
                    return null;
            }
        }
    }

    public async Task<bool> ConfirmAsync(string question) =>
        await ChooseAsync(question, null, [new MenuItem<string>("No", "no"), new MenuItem<string>("Yes", "yes")]) == "yes";

    /// <summary>Shows a message until a key is pressed (q still quits).</summary>
    public async Task ShowAsync(string title, IRenderable body)
    {
        Draw(TuiView.Message(title, body));
        if (TuiKeys.IsQuit(await ReadKeyAsync()))
        {
            throw Quit();
        }
    }

    public Task ShowAsync(string title, string text) => ShowAsync(title, new Text(text));

    /// <summary>Runs an action; a refusal of the gateway is shown and the screen goes on.</summary>
    public async Task AttemptAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (CliException e)
        {
            await ShowAsync("error", e.Message);
        }
    }

    public async Task<ConsoleKeyInfo> ReadKeyAsync() =>
        await console.Input.ReadKeyAsync(intercept: true, session.Token) ?? throw new OperationCanceledException(session.Token);

    /// <summary>Ends the session: every screen unwinds through the cancelled token. Use as <c>throw ui.Quit()</c>.</summary>
    public OperationCanceledException Quit()
    {
        session.Cancel();
        return new OperationCanceledException(session.Token);
    }

    public void Draw(IRenderable screen)
    {
        console.Clear(home: true);
        console.Write(screen);
    }
}
