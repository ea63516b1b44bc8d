using System.CommandLine;

namespace Keyway.Cli;

/// <summary>The `keyway` command tree. No command serves the gateway, as before the CLI existed.</summary>
public static class KeywayCli
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Keyway: a self-hosted LLM routing gateway. With no command, serves the gateway.");
        foreach (var option in CliOptions.Global())
        {
            root.Add(option);
        }
        root.Add(ServeCommand.Build(context));
        root.Add(StatusCommands.Status(context));
        root.Add(StatusCommands.Stop(context));
        root.Add(ConfigCommands.Build(context));
        root.Add(ServiceCommands.Build(context));
        root.Add(GroupCommands.Build(context));
        root.Add(ProviderCommands.Build(context));
        root.Add(RouteCommands.Build(context));
        root.Add(ToolProviderCommands.Build(context));
        root.Add(KeyCommands.Build(context));
        root.Add(UnifiedCommands.Build(context));
        root.Add(LogCommands.Logs(context));
        root.Add(LogCommands.Stats(context));
        root.Add(E2eCommand.Build(context));
        root.Add(Connect.ConnectCommands.Build(context));
        root.Add(Declarative.DeclarativeCommands.Apply(context));
        root.Add(Declarative.DeclarativeCommands.Export(context));
        root.Add(Import.ImportCommands.Build(context));
        root.Add(DbCommands.Build(context));
        root.Add(Tui.TuiCommand.Build(context));
        root.SetAction((_, _) => ServeCommand.RunAsync(context));
        return root;
    }

    /// <summary>
    /// Parses and runs; a <see cref="CliException"/> becomes one "keyway: …" line on stderr and its exit code, a command
    /// line that does not parse exits with <see cref="CliExitCodes.Usage"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parse = Build(context).Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        };
        if (Serves(parse))
        {
            // Serving, the web host owns SIGTERM/SIGINT: it drains requests and exits 0. System.CommandLine's own handler
            // would race it and, on a busy machine, end the process with 143 halfway through the drain.
            configuration.ProcessTerminationTimeout = null;
        }
        try
        {
            var exit = await parse.InvokeAsync(configuration, cancellationToken);
            // System.CommandLine prints a parse error and returns 1, which the README gives to a refusal by the gateway.
            return parse.Errors.Count > 0 ? CliExitCodes.Usage : exit;
        }
        catch (CliException e)
        {
            await context.Error.WriteLineAsync($"keyway: {e.Message}");
            return e.ExitCode;
        }
    }

    private static bool Serves(ParseResult parse) => parse.CommandResult.Command is RootCommand || parse.CommandResult.Command.Name == "serve";
}
