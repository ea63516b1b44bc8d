using System.CommandLine;

namespace Keyway.Cli.Tui;

/// <summary>`keyway tui`: the menus and the live dashboard, over the same admin API and connection rules as every command.</summary>
public static class TuiCommand
{
    public static Command Build(CliContext context)
    {
        var group = CliOptions.Group();
        var refresh = new Option<int>("--refresh") { Description = "Dashboard refresh interval in seconds", DefaultValueFactory = _ => 2 };
        var command = new Command("tui", "Terminal UI: providers, routes, unified model, keys, service, client set-up and a live dashboard") { group, refresh };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!context.Console.Profile.Capabilities.Interactive)
            {
                throw new CliException("keyway tui needs an interactive terminal; scripts use the other commands", CliExitCodes.Usage);
            }
            if (parse.GetValue(refresh) < 1)
            {
                throw new CliException("--refresh must be at least 1 second", CliExitCodes.Usage);
            }
            // A bad --url or a missing token stops here, before the screen is taken over.
            AdminConnection.Resolve(context, parse.Url(), parse.Token());
            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var tui = new TuiSession(
                context, new TuiTerminal(context.Console, session), parse.Url(), parse.Token(), parse.GetRequiredValue(group), TimeSpan.FromSeconds(parse.GetValue(refresh)));
            return await tui.RunAsync();
        });
        return command;
    }
}
