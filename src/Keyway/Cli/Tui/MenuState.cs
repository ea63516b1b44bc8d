namespace Keyway.Cli.Tui;

/// <summary>What one key press did to a menu.</summary>
public enum MenuOutcome
{
    /// <summary>Nothing to act on: the cursor moved, or the key means nothing here.</summary>
    Stay,

    /// <summary>Enter (or →) on an item: <see cref="MenuState{T}.Selected"/> is the choice.</summary>
    Chosen,

    /// <summary>Esc, Backspace or ←: back to the previous screen.</summary>
    Back,

    /// <summary>q: leave the TUI.</summary>
    Quit,
}

/// <summary>
/// A vertical menu as state only: a cursor over items that ↑/↓ (or k/j) move with wrap-around, Home/End jump;
/// no console here, so the keys' meaning is tested without one.
/// </summary>
public sealed class MenuState<T>(IReadOnlyList<MenuItem<T>> items)
{
    public IReadOnlyList<MenuItem<T>> Items => items;

    public int Cursor { get; private set; }

    public T Selected => items[Cursor].Value;

    public MenuOutcome Handle(ConsoleKeyInfo key)
    {
        if (TuiKeys.IsQuit(key))
        {
            return MenuOutcome.Quit;
        }
        if (TuiKeys.IsBack(key))
        {
            return MenuOutcome.Back;
        }
        if (items.Count == 0)
        {
            return MenuOutcome.Stay;
        }
        switch (key.Key)
        {
            case ConsoleKey.Enter or ConsoleKey.RightArrow:
                return MenuOutcome.Chosen;
            case ConsoleKey.UpArrow:
            case var _ when key.KeyChar == 'k':
                Cursor = (Cursor + items.Count - 1) % items.Count;
                break;
            case ConsoleKey.DownArrow or ConsoleKey.Tab:
            case var _ when key.KeyChar == 'j':
                Cursor = (Cursor + 1) % items.Count;
                break;
            case ConsoleKey.Home or ConsoleKey.PageUp:
                Cursor = 0;
                break;
            case ConsoleKey.End or ConsoleKey.PageDown:
                Cursor = items.Count - 1;
                break;
        }
        return MenuOutcome.Stay;
    }
}
