using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// The TUI's screen and keyboard: draws one screen at a time and reads keys for menus, text fields and messages.
/// q in a menu or a message cancels the session's token, which unwinds every screen at once; Esc answers null (back).
/// A screen waiting for a key is drawn again when the terminal is resized, at its new size.
/// </summary>
public sealed class TuiTerminal(IAnsiConsole console, CancellationTokenSource session)
{
    /// <summary>
    /// How often a screen waiting for a key looks at the terminal's size, so a resize is redrawn within it. The size is
    /// .NET's, cached until SIGWINCH; the console's own key reading polls every 5 ms.
    /// </summary>
    private static readonly TimeSpan ResizeCheck = TimeSpan.FromMilliseconds(100);

    /// <summary>The key read under way: a resize interrupts the wait for it, not the read, so no key is lost.</summary>
    private Task<ConsoleKeyInfo>? _keyRead;

    private (int Width, int Height) _drawnSize;

    public IAnsiConsole Console => console;

    public CancellationToken Token => session.Token;

    /// <summary>The value of the chosen item, or null when the user went back.</summary>
    public Task<T?> ChooseAsync<T>(string title, IRenderable? header, IReadOnlyList<MenuItem<T>> items) where T : class =>
        ChooseAsync(title, header, new MenuState<T>(items));

    /// <summary>As above on a menu the caller keeps, so its cursor stays where it was the next time it is shown.</summary>
    public async Task<T?> ChooseAsync<T>(string title, IRenderable? header, MenuState<T> menu) where T : class
    {
        while (true)
        {
            switch (menu.Handle(await ShowUntilKeyAsync(TuiView.Menu(title, header, menu))))
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
    /// attempted (a refusal is shown and the menu stays, its cursor where it was).
    /// </summary>
    public async Task LoopAsync(string title, Func<Task<(IRenderable? Header, IReadOnlyList<MenuItem<Func<Task>>> Items)>> build)
    {
        var cursor = 0;
        while (true)
        {
            var (header, items) = await build();
            var menu = new MenuState<Func<Task>>(items, cursor);
            if (await ChooseAsync(title, header, menu) is not { } action)
            {
                return;
            }
            cursor = menu.Cursor;
            await AttemptAsync(action);
        }
    }

    /// <summary>The typed text, trimmed; null when cancelled or left empty. A <paramref name="secret"/> is drawn as asterisks.</summary>
    public async Task<string?> AskAsync(string title, string prompt, string initial = "", bool secret = false)
    {
        var editor = new LineEditor(initial);
        while (true)
        {
            switch (editor.Handle(await ShowUntilKeyAsync(TuiView.Field(title, prompt, secret ? new string('*', editor.Text.Length) : editor.Text))))
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

    /// <summary>Shows a message until a key other than one scrolling it is pressed (q still quits).</summary>
    public async Task ShowAsync(string title, IRenderable body)
    {
        var scroll = new MessageScroll();
        while (true)
        {
            var key = await ShowUntilKeyAsync(TuiView.Message(title, body, scroll));
            if (TuiKeys.IsQuit(key))
            {
                throw Quit();
            }
            if (!scroll.Handle(key))
            {
                return;
            }
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

    /// <summary>Whether the terminal's size differs from the one the screen was drawn at (by <see cref="Clear"/>).</summary>
    public bool Resized => Size != _drawnSize;

    private (int Width, int Height) Size => (console.Profile.Width, console.Profile.Height);

    /// <summary>
    /// The next key; null when the terminal was resized first (the screen is to be drawn again) or <paramref name="wake"/>
    /// completed first. The key pressed after such a wake is the next call's.
    /// </summary>
    public async Task<ConsoleKeyInfo?> ReadKeyAsync(Task? wake = null)
    {
        _keyRead ??= ReadConsoleKeyAsync();
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
        var resize = WatchForResizeAsync(stopWatching.Token);
        Task[] waits = wake is null ? [_keyRead, resize] : [_keyRead, resize, wake];
        var first = await Task.WhenAny(waits);
        await stopWatching.CancelAsync();
        if (first != _keyRead)
        {
            return null;
        }
        var key = await _keyRead;
        _keyRead = null;
        return key;
    }

    private async Task<ConsoleKeyInfo> ReadConsoleKeyAsync() =>
        await console.Input.ReadKeyAsync(intercept: true, session.Token) ?? throw new OperationCanceledException(session.Token);

    /// <summary>Completes when the terminal is <see cref="Resized"/>, looking every <see cref="ResizeCheck"/>.</summary>
    private async Task WatchForResizeAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ResizeCheck);
        while (!Resized)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    /// <summary>Draws a screen and waits for a key, drawing the screen again whenever the terminal is resized meanwhile.</summary>
    private async Task<ConsoleKeyInfo> ShowUntilKeyAsync(IRenderable screen)
    {
        while (true)
        {
            Draw(screen);
            if (await ReadKeyAsync() is { } key)
            {
                return key;
            }
        }
    }

    /// <summary>Ends the session: every screen unwinds through the cancelled token. Use as <c>throw ui.Quit()</c>.</summary>
    public OperationCanceledException Quit()
    {
        session.Cancel();
        return new OperationCanceledException(session.Token);
    }

    /// <summary>Clears the screen for a drawing at the terminal's current size, which a resize then makes stale.</summary>
    public void Clear()
    {
        console.Clear(home: true);
        _drawnSize = Size;
    }

    private void Draw(IRenderable screen)
    {
        Clear();
        console.Write(screen);
    }
}
