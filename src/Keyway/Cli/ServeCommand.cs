using System.CommandLine;
using System.Diagnostics;
using System.Net.Sockets;
using Keyway.Configuration;
using Keyway.Storage;
using Microsoft.AspNetCore.Connections;

namespace Keyway.Cli;

/// <summary>
/// `keyway` / `keyway serve`: the gateway in the foreground, recorded in data/keyway.pid while it runs; on SQLite it holds
/// the data dir's <see cref="DataDirLock"/> meanwhile, so a second gateway of the data dir is refused.
/// `--detach` starts the same command in the background (output appended to data/keyway.log) and returns once it listens.
/// </summary>
public static class ServeCommand
{
    public const string LogFileName = "keyway.log";
    private static readonly TimeSpan DetachWait = TimeSpan.FromSeconds(30);

    public static Command Build(CliContext context)
    {
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background; `keyway stop` ends it" };
        var command = new Command("serve", "Run the gateway (the default when no command is given)") { detach };
        command.SetAction((parse, cancellationToken) => parse.GetValue(detach) ? DetachAsync(context, cancellationToken) : RunAsync(context));
        return command;
    }

    /// <summary>Configuration (bad values exit 2), database preparation, then serving until SIGTERM/Ctrl+C.</summary>
    public static async Task<int> RunAsync(CliContext context)
    {
        var options = LoadOptions(context, keepGenerated: false);
        using var dataDirLock = HoldDataDir(options);
        var app = KeywayApp.Build(options);
        try
        {
            await app.InitializeKeywayAsync(CancellationToken.None);
        }
        catch (StartupRefusedException e)
        {
            throw new CliException(e.Message, CliExitCodes.Usage);
        }
        // Only now that the database took the secret: a refused start leaves no generated secret behind.
        KeywayOptionsLoader.KeepGeneratedSecret(options);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            // Kestrel's bind failure ("Failed to bind to address http://127.0.0.1:9233: address already in use.") says
            // which address; a stack trace would add nothing an operator can act on.
            throw new CliException($"{e.Message} Free it or choose another KEYWAY_PORT / KEYWAY_METRICS_PORT.", CliExitCodes.Usage);
        }
        catch (IOException e) when (e.InnerException is SocketException)
        {
            throw new CliException(
                $"{e.Message} Choose an address of this machine and a port it may use: KEYWAY_HOST / KEYWAY_PORT, KEYWAY_METRICS_HOST / KEYWAY_METRICS_PORT.",
                CliExitCodes.Usage);
        }
        // Only once the address is bound: a start refused for its port never printed the token, so it keeps none, and the
        // next start generates one and prints it.
        KeywayOptionsLoader.KeepGeneratedAdminToken(options);
        StartupBanner.Print(app, options);
        var address = StartupBanner.ListeningAddress(app) ?? options.ListenUrl;
        var instance = app.Services.GetRequiredService<InstanceIdentity>().Id;
        new ServerStateFile(Environment.ProcessId, address, DateTimeOffset.UtcNow, instance).Write(options.DataDir);
        try
        {
            await app.WaitForShutdownAsync();
        }
        finally
        {
            ServerStateFile.Remove(options.DataDir, Environment.ProcessId);
        }
        return CliExitCodes.Ok;
    }

    public static KeywayOptions LoadOptions(CliContext context, bool keepGenerated = true)
    {
        try
        {
            return KeywayOptionsLoader.Load(context.Environment, context.WorkingDirectory, keepGenerated);
        }
        catch (InvalidConfigurationException e)
        {
            throw new CliException(e.Message, CliExitCodes.Usage);
        }
    }

    private static async Task<int> DetachAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = LoadOptions(context);
        // A probe only: the gateway in the background takes the lock for its own life. On PostgreSQL, where gateways share
        // the database, the data dir's keyway.pid still records one, the one `keyway stop` stops.
        using (HoldDataDir(options))
        {
        }
        if (options.DatabaseUrl is not null && ServerStateFile.ReadLive(options.DataDir) is not null)
        {
            throw AlreadyRunning(options.DataDir);
        }
        var log = Path.Combine(options.DataDir, LogFileName);
        CreatePrivate(log);
        // sh redirects the child's output to the log and detaches its input, so it outlives this terminal.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = context.WorkingDirectory, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$@\" </dev/null >>\"$KEYWAY_SERVE_LOG\" 2>&1", "sh", .. SelfCommand(), "serve"])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["KEYWAY_SERVE_LOG"] = log;
        using var child = Process.Start(start) ?? throw new CliException("could not start the gateway process");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DetachWait);
        while (!timeout.IsCancellationRequested && !child.HasExited)
        {
            if (ServerStateFile.ReadLive(options.DataDir) is { ProcessId: var pid } state && pid == child.Id)
            {
                context.Out.WriteLine($"Keyway started in the background: pid {state.ProcessId}, {state.Address} (log: {log})");
                return CliExitCodes.Ok;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        throw new CliException($"the gateway did not start; see {log}");
    }

    /// <summary>
    /// SQLite: the data dir's lock, held until disposed, or the refusal naming the gateway that holds it. PostgreSQL: none,
    /// as several gateways share one database by design.
    /// </summary>
    private static DataDirLock? HoldDataDir(KeywayOptions options) =>
        options.DatabaseUrl is null ? DataDirLock.TryTake(options.DataDir) ?? throw AlreadyRunning(options.DataDir) : null;

    private static CliException AlreadyRunning(string dataDir) => new(
        $"a gateway already runs for {dataDir} ({DataDirLock.Holder(dataDir)}): stop it first (`keyway stop`), or give this one another KEYWAY_DATA_DIR",
        CliExitCodes.Usage);

    /// <summary>
    /// The log holds the start-up banner (the admin token on the start that generates it) and server logs: readable by the
    /// owner only, like admin.token; sh's `>>` would create it with the umask (usually 0644).
    /// </summary>
    private static void CreatePrivate(string log)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        new FileStream(log, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = ownerOnly }).Dispose();
        File.SetUnixFileMode(log, ownerOnly);
    }

    /// <summary>How this program was launched: the apphost itself, or `dotnet keyway.dll`.</summary>
    public static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new CliException("cannot tell where the keyway executable is");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            // Not Assembly.Location: it is empty in the single-file release binary (tools/release.sh), and the analyzer
            // refuses it there; under `dotnet keyway.dll` the base directory is the dll's own.
            ? [process, Path.Combine(AppContext.BaseDirectory, typeof(ServeCommand).Assembly.GetName().Name + ".dll")]
            : [process];
    }
}
