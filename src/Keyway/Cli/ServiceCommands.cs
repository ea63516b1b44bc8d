using System.CommandLine;
using System.Diagnostics;
using Keyway.Cli.Connect;

namespace Keyway.Cli;

/// <summary>
/// `keyway service install|uninstall|status|restart`: a systemd unit running `keyway serve` in this directory with its data
/// dir and .env; a user unit (~/.config/systemd/user) unless run as root (/etc/systemd/system). systemctl does the rest.
/// </summary>
public static class ServiceCommands
{
    public const string UnitName = "keyway.service";

    /// <summary>What systemd waits beyond the host's shutdown timeout before its SIGKILL: the process's own exit after the host stopped.</summary>
    private static readonly TimeSpan ExitMargin = TimeSpan.FromSeconds(5);

    public static Command Build(CliContext context)
    {
        var command = new Command("service", "Run the gateway as a systemd service");
        var unitDir = new Option<string?>("--unit-dir") { Description = "Where the unit goes (default: the systemd user or system unit directory)", Recursive = true };
        var noSystemctl = new Option<bool>("--no-systemctl") { Description = "Only write or remove the unit file; do not call systemctl", Recursive = true };
        command.Add(unitDir);
        command.Add(noSystemctl);

        var install = new Command("install", "Write the unit, then enable and start it");
        install.SetAction(async (parse, cancellationToken) =>
        {
            var path = Path.Combine(UnitDirectory(context, parse.GetValue(unitDir)), UnitName);
            // The drain (KEYWAY_DRAIN_SECONDS) as this directory's environment and .env set it, which the service reads too.
            var shutdownTimeout = ServeCommand.LoadOptions(context, keepGenerated: false).ShutdownTimeout;
            var unit = Unit(context, ServeCommand.SelfCommand(), shutdownTimeout);
            var what = FileEdit.Write(path, unit);
            context.Out.WriteLine($"{what} {path}:");
            context.Out.Write(unit);
            return parse.GetValue(noSystemctl) ? CliExitCodes.Ok : await SystemctlAsync(context, cancellationToken, ["daemon-reload"], ["enable", "--now", UnitName]);
        });
        command.Add(install);

        var uninstall = new Command("uninstall", "Stop and disable the service, then remove the unit");
        uninstall.SetAction(async (parse, cancellationToken) =>
        {
            var path = Path.Combine(UnitDirectory(context, parse.GetValue(unitDir)), UnitName);
            var exit = parse.GetValue(noSystemctl) ? CliExitCodes.Ok : await SystemctlAsync(context, cancellationToken, ["disable", "--now", UnitName]);
            if (File.Exists(path))
            {
                File.Delete(path);
                context.Out.WriteLine($"removed {path}");
            }
            return exit == CliExitCodes.Ok && !parse.GetValue(noSystemctl) ? await SystemctlAsync(context, cancellationToken, ["daemon-reload"]) : exit;
        });
        command.Add(uninstall);

        foreach (var (verb, description) in new[] { ("status", "systemctl status of the service"), ("restart", "Restart the service") })
        {
            var passThrough = new Command(verb, description);
            passThrough.SetAction((_, cancellationToken) => SystemctlAsync(context, cancellationToken, [verb, UnitName]));
            command.Add(passThrough);
        }
        return command;
    }

    /// <param name="shutdownTimeout">
    /// The gateway's own (the drain window, then the request log's final flush): systemd's TimeoutStopSec outlasts it, so
    /// its SIGKILL never cuts the flush short.
    /// </param>
    public static string Unit(CliContext context, string[] self, TimeSpan shutdownTimeout)
    {
        var system = Environment.IsPrivilegedProcess;
        return $"""
            [Unit]
            Description=Keyway LLM routing gateway
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=simple
            WorkingDirectory={Specifiers(context.WorkingDirectory)}
            Environment={Quoted("KEYWAY_DATA_DIR=" + context.DataDir)}
            EnvironmentFile=-{Specifiers(Path.Combine(context.WorkingDirectory, ".env"))}
            ExecStart={string.Join(' ', self.Select(Argument))} serve
            Restart=on-failure
            KillSignal=SIGTERM
            TimeoutStopSec={(int)(shutdownTimeout + ExitMargin).TotalSeconds}

            [Install]
            WantedBy={(system ? "multi-user.target" : "default.target")}

            """;
    }

    private static string UnitDirectory(CliContext context, string? option) =>
        option is not null ? Path.GetFullPath(option, context.WorkingDirectory)
        : Environment.IsPrivilegedProcess ? "/etc/systemd/system"
        : Path.Combine(context.Get("XDG_CONFIG_HOME") ?? Path.Combine(context.Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "systemd", "user");

    /// <summary>Runs systemctl (with --user unless root) once per argument list, stopping at the first failure.</summary>
    private static async Task<int> SystemctlAsync(CliContext context, CancellationToken cancellationToken, params string[][] calls)
    {
        foreach (var arguments in calls)
        {
            var start = new ProcessStartInfo("systemctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (Environment.IsPrivilegedProcess ? arguments : ["--user", .. arguments]))
            {
                start.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new CliException("could not run systemctl");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new CliException($"systemctl is not available ({e.Message}); the unit file is written, start `keyway serve` another way");
            }
            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var error = process.StandardError.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
                await context.Out.WriteAsync(await output);
                await context.Error.WriteAsync(await error);
                if (process.ExitCode != 0)
                {
                    return process.ExitCode;
                }
            }
        }
        return CliExitCodes.Ok;
    }

    /// <summary>
    /// systemd expands %-specifiers in these settings, so a literal % is written twice; a path of the data dir or the
    /// working directory is the user's and may hold one.
    /// </summary>
    private static string Specifiers(string value) => value.Replace("%", "%%");

    /// <summary>
    /// A value in double quotes, as Environment= needs for one with spaces (unquoted, systemd splits it into several
    /// assignments and the service would run on a data dir cut at the first space) and ExecStart= for one argument.
    /// </summary>
    private static string Quoted(string value) => "\"" + Specifiers(value).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>One ExecStart= argument: quoted when it holds a space or a quote, its $ kept from variable expansion.</summary>
    private static string Argument(string part) =>
        (part.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\') ? Quoted(part) : Specifiers(part)).Replace("$", "$$");
}
