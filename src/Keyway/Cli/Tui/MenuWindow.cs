namespace Keyway.Cli.Tui;

/// <summary>
/// Which of a menu's items are drawn when the terminal cannot hold them all: <see cref="Count"/> items from
/// <see cref="First"/>, the cursor's among them, with a line above and one below counting those cut off
/// (<see cref="Above"/>, <see cref="Below"/>), so every item stays reachable by scrolling the cursor to it.
/// </summary>
public sealed record MenuWindow(int First, int Count, int Above, int Below)
{
    /// <summary>Whether the window cuts items off, and so draws its two counting lines.</summary>
    public bool Scrolls => Count < Above + Count + Below;

    /// <summary>The lines the window takes: its items, plus the two counting lines when it scrolls.</summary>
    public int Lines => Scrolls ? Count + 2 : Math.Max(Count, 1);

    /// <summary>
    /// Every item, then windows each a line shorter than the one before, down to the cursor's item alone between the
    /// two counting lines: no window is taller than the one before it, which <see cref="HeightFit"/> relies on.
    /// </summary>
    public static IEnumerable<MenuWindow> Shrinking(int itemCount, int cursor)
    {
        yield return new MenuWindow(0, itemCount, 0, 0);
        for (var lines = itemCount - 1; lines >= 3; lines--)
        {
            yield return Around(itemCount, cursor, lines - 2);
        }
    }

    /// <summary><paramref name="count"/> items with the cursor's in the middle, shifted to stay within the menu at either end.</summary>
    private static MenuWindow Around(int itemCount, int cursor, int count)
    {
        var first = Math.Clamp(cursor - (count - 1) / 2, 0, itemCount - count);
        return new MenuWindow(first, count, first, itemCount - first - count);
    }
}
