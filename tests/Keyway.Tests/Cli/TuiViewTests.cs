using Keyway.Cli.Tui;
using Spectre.Console.Testing;

namespace Keyway.Tests.Cli;

/// <summary>How TuiView lays out a screen on a narrow terminal.</summary>
public sealed class TuiViewTests
{
    [Fact]
    public void Menu_LongLabels_StayOnOneLineEach_CutWithAnEllipsis()
    {
        var console = new TestConsole().Width(40);
        var longLabel = "a-very-long-alias-name-that-goes-on-and-on → provider/" + new string('x', 80);
        var menu = new MenuState<string>([new MenuItem<string>("+ Add a route", "add"), new MenuItem<string>(longLabel, "long"), new MenuItem<string>("chat → fake/m1", "chat")]);

        console.Write(TuiView.Menu("routes of default", null, menu));

        var lines = console.Output.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0).ToList();
        Assert.Equal(6, lines.Count);
        Assert.StartsWith("  a-very-long-alias-name-that-goes-on-", lines[2]);
        Assert.EndsWith("…", lines[2]);
        Assert.Equal("  chat → fake/m1", lines[3]);
    }
}
