namespace Keyway.Cli.Tui;

/// <summary>The keys every screen shares: q quits the TUI, Esc goes back one screen.</summary>
public static class TuiKeys
{
    /// <summary>Read from the character, not <see cref="ConsoleKeyInfo.Key"/>: terminals and keyboard layouts agree on that.</summary>
    public static bool IsQuit(ConsoleKeyInfo key) => key.KeyChar is 'q' or 'Q';

    public static bool IsBack(ConsoleKeyInfo key) => key.Key is ConsoleKey.Escape or ConsoleKey.Backspace or ConsoleKey.LeftArrow;
}
