namespace Keyway.Cli.Tui;

/// <summary>
/// Where a message's body is scrolled to, as state only: the first of its lines drawn. The drawing
/// (<see cref="MessageScreen"/>) says how many lines the terminal holds, so ↑/↓ (or k/j), PgUp/PgDn, Home/End move
/// within the body, and a resize keeps the last line on the screen.
/// </summary>
public sealed class MessageScroll
{
    private int _lastTop;
    private int _page;

    public int Top { get; private set; }

    /// <summary>Whether the last drawing cut lines off, so that the scroll keys have something to scroll.</summary>
    public bool Scrolls => _lastTop > 0;

    /// <summary>
    /// The lines to draw of a body of <paramref name="lineCount"/> in a window of <paramref name="room"/> lines: from
    /// <see cref="Top"/>, moved back if the window (a terminal grown, a body scrolled to its end) would pass the body's end.
    /// </summary>
    public (int First, int Count) Window(int lineCount, int room)
    {
        _lastTop = Math.Max(lineCount - room, 0);
        _page = room;
        Top = Math.Clamp(Top, 0, _lastTop);
        return (Top, Math.Min(room, lineCount));
    }

    /// <summary>Scrolls for a scroll key while the body is cut off; false for any other key, which leaves the message.</summary>
    public bool Handle(ConsoleKeyInfo key)
    {
        int? top = !Scrolls ? null : key.Key switch
        {
            ConsoleKey.UpArrow => Top - 1,
            ConsoleKey.DownArrow => Top + 1,
            ConsoleKey.PageUp => Top - _page,
            ConsoleKey.PageDown => Top + _page,
            ConsoleKey.Home => 0,
            ConsoleKey.End => _lastTop,
            _ => key.KeyChar switch
            {
                'k' => Top - 1,
                'j' => Top + 1,
                _ => null,
            },
        };
        if (top is null)
        {
            return false;
        }
        Top = Math.Clamp(top.Value, 0, _lastTop);
        return true;
    }
}
