namespace Keyway.Cli.Tui;

/// <summary>
/// Service control through the CLI's own commands, their output shown: status, serve --detach, stop, service install.
/// Starting or stopping a gateway makes the session find the gateway anew.
/// </summary>
public static class ServiceScreen
{
    public static async Task RunAsync(TuiSession session)
    {
        MenuItem<string[]>[] items =
        [
            new("Status", ["status"]),
            new("Start the gateway in the background (serve --detach)", ["serve", "--detach"]),
            new("Stop the gateway of this data dir", ["stop"]),
            new("Install the systemd service (service install)", ["service", "install"]),
        ];
        while (await session.Ui.ChooseAsync("service", null, items) is { } command)
        {
            if (command is ["stop"] && !await session.Ui.ConfirmAsync("stop the gateway? This TUI then has nothing to manage."))
            {
                continue;
            }
            await session.ShowCommandAsync(string.Join(' ', command), command);
            session.Reconnect();
        }
    }
}
