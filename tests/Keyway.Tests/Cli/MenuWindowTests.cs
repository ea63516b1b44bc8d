using Keyway.Cli.Tui;
using Spectre.Console.Testing;

namespace Keyway.Tests.Cli;

/// <summary>How much of a menu a terminal shorter than the menu shows: the window around the cursor.</summary>
public sealed class MenuWindowTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(29)]
    public void Shrinking_StartsWithEveryItem_ThenALineLessEachTime_DownToTheCursorAlone_AlwaysHoldingTheCursor(int cursor)
    {
        var windows = MenuWindow.Shrinking(30, cursor).ToList();

        Assert.Equal(new MenuWindow(0, 30, 0, 0), windows[0]);
        Assert.Equal(Enumerable.Range(3, 28).Reverse(), windows.Select(w => w.Lines));
        Assert.Equal(1, windows[^1].Count);
        Assert.All(windows, w =>
        {
            Assert.InRange(cursor, w.First, w.First + w.Count - 1);
            Assert.Equal(30, w.Above + w.Count + w.Below);
            Assert.Equal(w.First, w.Above);
        });
    }

    [Fact]
    public void AScrolledWindow_CentersTheCursor_ButNeverRunsPastEitherEnd()
    {
        Assert.Equal(new MenuWindow(12, 8, 12, 10), MenuWindow.Shrinking(30, 15).Single(w => w.Lines == 10));
        Assert.Equal(new MenuWindow(0, 8, 0, 22), MenuWindow.Shrinking(30, 1).Single(w => w.Lines == 10));
        Assert.Equal(new MenuWindow(22, 8, 22, 0), MenuWindow.Shrinking(30, 28).Single(w => w.Lines == 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void AMenuThatFits_IsOneWindowOfEveryItem(int items)
    {
        Assert.Equal([new MenuWindow(0, items, 0, 0)], MenuWindow.Shrinking(items, 0));
    }

    [Fact]
    public void AMenuTallerThanTheTerminal_IsDrawnWithinIt_WithTheCursorsItem()
    {
        using var console = new TestConsole().Width(60).Height(12);
        var items = Enumerable.Range(1, 40).Select(i => new MenuItem<int>($"route-{i:00}", i)).ToList();

        console.Write(TuiView.Menu("routes of default", null, new MenuState<int>(items, cursor: 30)));

        var lines = console.Output.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length <= 12, console.Output);
        Assert.Contains(lines, line => line.Contains("> route-31", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("↓ 6 more", StringComparison.Ordinal));
    }

    /// <summary>
    /// A terminal scrolls up a line at a line break on its bottom row: a menu that fills the terminal ends without one,
    /// or its title is pushed off the top (26 routes in 80×24).
    /// </summary>
    [Theory]
    [InlineData(80, 24)]
    [InlineData(130, 24)]
    public void AMenuFillingTheTerminal_EndsOnItsBottomRow_SoTheTitleStays(int width, int height)
    {
        using var console = new TestConsole().Width(width).Height(height);
        var items = Enumerable.Range(1, 26).Select(i => new MenuItem<int>($"route-{i:00} → p/m", i)).ToList();

        console.Write(TuiView.Menu("routes of default", null, new MenuState<int>(items, cursor: 0)));

        var lines = console.Output.Split('\n');
        Assert.True(lines.Length <= height, $"{lines.Length - 1} line breaks in a {height}-line terminal:\n{console.Output}");
        Assert.Equal(TuiDriver.TitleRule("routes of default", width), lines[0]);
        Assert.StartsWith("up/down move", lines[^1]);
    }
}
