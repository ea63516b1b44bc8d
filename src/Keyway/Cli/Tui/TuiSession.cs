using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli.Tui;

/// <summary>
/// One `keyway tui` run: the group it works in, the admin connection (resolved as every other command resolves it,
/// again after the service screen started or stopped a gateway), and the main menu.
/// </summary>
public sealed class TuiSession(CliContext context, TuiTerminal ui, string? url, string? token, string group, TimeSpan refresh) : IDisposable
{
    private AdminClient? _admin;

    public TuiTerminal Ui => ui;

    public CancellationToken Token => ui.Token;

    public string Group => group;

    /// <summary>The admin API path of the group: admin/llm/groups/{group}.</summary>
    public string GroupPath => $"admin/llm/groups/{Uri.EscapeDataString(group)}";

    /// <summary>The dashboard's refresh interval, paced by <see cref="Time"/>.</summary>
    public TimeSpan Refresh => refresh;

    public TimeProvider Time => context.Time;

    public string WorkingDirectory => context.WorkingDirectory;

    /// <summary>GET {group}/{collection}: the group's providers, routes or keys, as the admin API lists them.</summary>
    public async Task<List<JsonNode>> ListAsync(string collection) =>
        ((await Admin.GetAsync($"{GroupPath}/{collection}", Token))[collection]?.AsArray() ?? []).OfType<JsonNode>().ToList();

    public AdminClient Admin => _admin ??= new AdminClient(AdminConnection.Resolve(context, url, token));

    /// <summary>Forgets the connection, so the next call finds the gateway anew (its address may have changed).</summary>
    public void Reconnect()
    {
        _admin?.Dispose();
        _admin = null;
    }

    /// <summary>
    /// Runs a `keyway` command in this process with the session's --url/--token and returns its exit code and output:
    /// service control and client set-up are the CLI's own commands, shown in a message.
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunCommandAsync(params string[] args)
    {
        var output = new StringWriter();
        var commandContext = new CliContext(output, output, context.Environment, context.WorkingDirectory) { Time = context.Time };
        string[] connection = [.. url is null ? [] : new[] { "--url", url }, .. token is null ? [] : new[] { "--token", token }];
        var exit = await KeywayCli.RunAsync([.. args, .. connection], commandContext, Token);
        return (exit, output.ToString().TrimEnd());
    }

    /// <summary>Runs a command and shows what it printed; true when it succeeded.</summary>
    public async Task<bool> ShowCommandAsync(string title, params string[] args)
    {
        var (exit, output) = await RunCommandAsync(args);
        await ui.ShowAsync(exit == CliExitCodes.Ok ? title : $"{title}: failed (exit {exit})", output.Length == 0 ? "(no output)" : output);
        return exit == CliExitCodes.Ok;
    }

    /// <summary>The main menu until q (or the caller's cancellation); exit code 0.</summary>
    public async Task<int> RunAsync()
    {
        MenuItem<Func<Task>>[] screens =
        [
            new("Dashboard (live)", () => DashboardScreen.RunAsync(this)),
            new("Providers and upstream keys", () => ProvidersScreen.RunAsync(this)),
            new("Routes", () => RoutesScreen.RunAsync(this)),
            new("Unified model", () => UnifiedScreen.RunAsync(this)),
            new("Issued keys", () => IssuedKeysScreen.RunAsync(this)),
            new("Service: status, start, stop, install", () => ServiceScreen.RunAsync(this)),
            new("Client set-up: Claude Code, Codex, shell", () => ClientSetupScreen.RunAsync(this)),
        ];
        ui.Console.Cursor.Hide();
        try
        {
            while (true)
            {
                var header = TuiView.Facts(("gateway", GatewayLabel()), ("group", group));
                if (await ui.ChooseAsync("main menu", header, screens) is { } screen)
                {
                    await ui.AttemptAsync(screen);
                }
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            return CliExitCodes.Ok;
        }
        finally
        {
            ui.Console.Cursor.Show();
            ui.Console.Clear(home: true);
        }
    }

    private string GatewayLabel()
    {
        try
        {
            return Admin.BaseUrl.ToString().TrimEnd('/');
        }
        catch (CliException e)
        {
            return e.Message;
        }
    }

    public void Dispose() => _admin?.Dispose();
}
