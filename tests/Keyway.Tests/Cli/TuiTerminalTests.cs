using Keyway.Tests.Binary;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// `keyway tui` of the built executable in a real terminal (tmux): the console's own key reading, drawing and size.
/// </summary>
public sealed class TuiTerminalTests
{
    [Fact]
    public async Task ArrowKeysEnterEscAndQ_InARealTerminal()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(1);
        using var dir = new TempDirectory();
        await using var terminal = await StartTuiAsync(bed, dir);

        await terminal.WaitForAsync("main menu", "> Dashboard (live)");
        await terminal.KeysAsync("Down", "Enter");
        await terminal.WaitForAsync("providers of default", GatewayTestBed.OpenAIProvider, GatewayTestBed.AnthropicProvider);
        await terminal.KeysAsync("Escape");
        await terminal.WaitForAsync("main menu", "> Providers and upstream keys");
        await terminal.KeysAsync("Up", "Enter");
        var dashboard = await terminal.WaitForAsync("last requests", GatewayTestBed.OpenAIAlias);
        Assert.Contains("every key is usable", dashboard);
        await terminal.KeysAsync("q");

        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task WidenedTerminal_IsRedrawnAtTheNewWidth_WithoutAKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        await using var terminal = await StartTuiAsync(bed, dir);
        await terminal.WaitForAsync("main menu", "> Dashboard (live)");

        await terminal.ResizeAsync(150, 45);

        await terminal.WaitForAsync(TuiDriver.TitleRule("main menu", 150));
        await terminal.KeysAsync("q");
        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    /// <summary>`keyway tui` of the built executable against <paramref name="bed"/>, in a 120×40 terminal.</summary>
    private static Task<TmuxTerminal> StartTuiAsync(GatewayTestBed bed, TempDirectory dir)
    {
        var environment = KeywayBinary.Environment(Path.Combine(dir.Path, "data"), new Dictionary<string, string> { ["HOME"] = dir.Path, ["TERM"] = "xterm-256color" });
        return TmuxTerminal.StartAsync(
            dir.Path, environment, "dotnet", KeywayBinary.DllPath, "tui", "--url", bed.Server.BaseAddress.ToString(), "--token", KeywayServer.AdminToken);
    }
}
