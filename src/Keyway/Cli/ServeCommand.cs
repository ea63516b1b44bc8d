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
/// `--detach` starts the same command in the background (output appended to data/keyway.log) and returns once it listens,
/// or with its exit code and last error line when it stops before, or after `--wait-seconds` (30) with it still starting.
/// </summary>
public static class ServeCommand
{
    public const string LogFileName = "keyway.log";
    private const string BackgroundOption = "--background";
    /// <summary>
    /// The longest `--wait-seconds`: another instance's migrations, which a start on PostgreSQL waits for, may take up to
    /// 600 s (<see cref="MigrationRunner"/>), and a migration of its own over a large request log minutes too.
    /// </summary>
    private const int MaxDetachWaitSeconds = 3600;

    public static Command Build(CliContext context)
    {
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background; `keyway stop` ends it" };
        var waitSeconds = new Option<int>("--wait-seconds")
        {
            Description = "With --detach: how long to wait for the gateway to listen before returning (it keeps starting)",
            DefaultValueFactory = _ => 30,
        };
        // What --detach starts: the output goes to data/keyway.log, which must not keep a generated admin token (--detach prints it).
        var background = new Option<bool>(BackgroundOption) { Hidden = true };
        var command = new Command("serve", "Run the gateway (the default when no command is given)") { detach, waitSeconds, background };
        command.SetAction((parse, cancellationToken) =>
            parse.GetValue(detach) ? DetachAsync(context, DetachWait(parse.GetValue(waitSeconds)), cancellationToken) : RunAsync(context, parse.GetValue(background)));
        return command;
    }

    /// <summary>
    /// A limit of open files too low to serve (<see cref="OpenFileLimit"/>) and bad configuration values exit 2, then the
    /// database is prepared and the gateway serves until SIGTERM/Ctrl+C. Every write of start-up
    /// is a <see cref="StartupStep"/>: on a full disk (or a PostgreSQL out of disk, memory or connections) the start is
    /// refused in one line with exit 2, as a bad setting is.
    /// </summary>
    /// <param name="background">Started by `serve --detach`: the banner says where a generated admin token is kept, not the token.</param>
    public static async Task<int> RunAsync(CliContext context, bool background = false)
    {
        OpenFileLimit.EnsureRoomToServe();
        var options = LoadOptions(context, keepGenerated: false);
        using var dataDirLock = HoldDataDir(options);
        CreateDatabaseFile(options);
        var app = KeywayApp.Build(options);
        var listening = false;
        try
        {
            await InitializeKeepingTheSecretAsync(app, options);
            await ListenAsync(app, options);
            listening = true;
            // Only once the address is bound: a start refused for its port never printed the token, so it keeps none, and the
            // next start generates one and prints it.
            WriteDataDirFile(options, $"keep the generated admin token in {KeywayOptionsLoader.AdminTokenFileName}", () => KeywayOptionsLoader.KeepGeneratedAdminToken(options));
            var address = StartupBanner.ListeningAddress(app) ?? options.ListenUrl;
            var instance = app.Services.GetRequiredService<InstanceIdentity>().Id;
            WriteDataDirFile(options, $"write {ServerStateFile.FileName}", () => new ServerStateFile(Environment.ProcessId, address, DateTimeOffset.UtcNow, instance).Write(options.DataDir));
            // The banner last: whoever waits for its "listening on" finds keyway.pid written (`keyway status`, a script).
            StartupBanner.Print(app, background ? options with { AdminTokenGenerated = false } : options);
        }
        catch (StartupRefusedException e)
        {
            if (listening)
            {
                await app.StopAsync();
            }
            throw new CliException(e.Message, CliExitCodes.Usage);
        }
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

    /// <summary>
    /// Prepares the database, with a generated secret kept before the database may take it and deleted again when it did
    /// not: a database holding the check of a secret nobody kept could never be opened again (the next start is refused
    /// as a wrong secret), which a full disk at secret.key after the database took the secret would have made. A start
    /// refused before the database took the secret, or for the secret, leaves no generated secret behind.
    /// </summary>
    private static async Task InitializeKeepingTheSecretAsync(WebApplication app, KeywayOptions options)
    {
        var initializer = app.Services.GetRequiredService<DatabaseInitializer>();
        WriteDataDirFile(options, $"keep the generated secret in {KeywayOptionsLoader.SecretFileName}", () => KeywayOptionsLoader.KeepGeneratedSecret(options));
        try
        {
            await app.InitializeKeywayAsync(CancellationToken.None);
        }
        catch when (options.SecretGenerated && !initializer.SecretTaken)
        {
            File.Delete(Path.Combine(options.DataDir, KeywayOptionsLoader.SecretFileName));
            throw;
        }
    }

    /// <summary>
    /// SQLite: the empty keyway.db, owner-only, made here rather than where KeywayApp.Build first builds the connection
    /// factory, so that a disk without room for one more file refuses the start in one line, as every write of start-up does.
    /// </summary>
    private static void CreateDatabaseFile(KeywayOptions options)
    {
        if (options.DatabaseUrl is not null)
        {
            return;
        }
        WriteDataDirFileBeforeTheApp(options, $"create the database file {Path.GetFileName(options.DatabasePath)}", () => SqliteConnectionFactory.CreateOwnerOnlyIfMissing(options.DatabasePath));
    }

    /// <summary>
    /// Binds the addresses and starts the hosted services. A start-up step too: .NET's own start-up meets `ulimit -n` or
    /// memory running out here (the signal handlers, the socket engine, a thread), and that refuses in one line.
    /// </summary>
    public static async Task ListenAsync(WebApplication app, KeywayOptions options)
    {
        try
        {
            await StartupStep.RunAsync("start the web server", () => DiskSpace.Describe(options.DataDir), () => app.StartAsync());
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
    }

    private static void WriteDataDirFile(KeywayOptions options, string what, Action write) =>
        StartupStep.Run(what, () => DiskSpace.Describe(options.DataDir), write);

    /// <summary>A <see cref="WriteDataDirFile"/> before any app was built: its refusal is the command's one line, exit 2.</summary>
    private static void WriteDataDirFileBeforeTheApp(KeywayOptions options, string what, Action write) => DataDirWrite.Run(options.DataDir, what, write);

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

    private static TimeSpan DetachWait(int seconds) => seconds is >= 1 and <= MaxDetachWaitSeconds
        ? TimeSpan.FromSeconds(seconds)
        : throw new CliException($"--wait-seconds must be between 1 and {MaxDetachWaitSeconds}, got {seconds}", CliExitCodes.Usage);

    /// <summary>
    /// Starts `serve` in the background and waits until it listens (it writes keyway.pid once its address is bound), at
    /// most <paramref name="wait"/>; then it returns 1 and leaves the gateway starting, for a script to check later. Nothing generated is kept here: the gateway keeps a generated secret once its
    /// database took it and a generated admin token once it listens, as in the foreground, so a start that fails keeps no
    /// token nobody saw; the token is printed here, once it is kept.
    /// </summary>
    private static async Task<int> DetachAsync(CliContext context, TimeSpan wait, CancellationToken cancellationToken)
    {
        var options = LoadOptions(context, keepGenerated: false);
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
        WriteDataDirFileBeforeTheApp(options, $"create the log {LogFileName}", () => CreatePrivate(log));
        var logStart = new FileInfo(log).Length;
        // sh redirects the child's output to the log and detaches its input, so it outlives this terminal.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = context.WorkingDirectory, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$@\" </dev/null >>\"$KEYWAY_SERVE_LOG\" 2>&1", "sh", .. SelfCommand(), "serve", BackgroundOption])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["KEYWAY_SERVE_LOG"] = log;
        using var child = Process.Start(start) ?? throw new CliException("could not start the gateway process");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        while (!timeout.IsCancellationRequested)
        {
            if (ServerStateFile.ReadLive(options.DataDir) is { ProcessId: var pid } state && pid == child.Id)
            {
                context.Out.WriteLine($"Keyway started in the background: pid {state.ProcessId}, {state.Address} (log: {log})");
                PrintGenerated(context, options);
                return CliExitCodes.Ok;
            }
            // sh exec'd keyway: its exit code is the gateway's (2 for a refused start).
            if (child.HasExited)
            {
                throw new CliException(
                    $"the gateway in the background exited with code {child.ExitCode} before it listened: {LastErrorLine(log, logStart)} (log: {log})",
                    child.ExitCode == 0 ? CliExitCodes.Failed : child.ExitCode);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        throw new CliException(cancellationToken.IsCancellationRequested
            ? $"stopped waiting for the gateway in the background (pid {child.Id}), which still starts: `keyway status` tells when it listens (log: {log})"
            : $"the gateway in the background (pid {child.Id}) did not listen within {wait.TotalSeconds:0} s and still runs: see {log}; " +
              $"`keyway status` tells when it listens, `kill {child.Id}` ends it, and --wait-seconds waits longer");
    }

    /// <summary>What the gateway in the background generated and kept, which its log does not show: the admin token, and that a secret was made.</summary>
    private static void PrintGenerated(CliContext context, KeywayOptions options)
    {
        var tokenFile = Path.Combine(options.DataDir, KeywayOptionsLoader.AdminTokenFileName);
        if (options.AdminTokenGenerated && File.Exists(tokenFile))
        {
            context.Out.WriteLine($"  admin token: {StartupBanner.AdminTokenLine(options with { AdminToken = File.ReadAllText(tokenFile).Trim() })}");
        }
        if (options.SecretGenerated)
        {
            context.Out.WriteLine(StartupBanner.GeneratedSecretLine(options));
        }
    }

    /// <summary>
    /// The last line the gateway wrote to the log since <paramref name="from"/> that is not a stack frame: its one-line
    /// refusal ("keyway: " dropped, this line says it), or the exception of a crash.
    /// </summary>
    private static string LastErrorLine(string log, long from)
    {
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        var last = lines.LastOrDefault(line => line.Length > 0 && !char.IsWhiteSpace(line[0]))?.TrimEnd();
        return last is null ? "it wrote nothing" : last.StartsWith("keyway: ", StringComparison.Ordinal) ? last["keyway: ".Length..] : last;
    }

    /// <summary>
    /// SQLite: the data dir's lock, held until disposed, or the refusal naming the gateway that holds it. PostgreSQL: none,
    /// as several gateways share one database by design. Creating keyway.lock is a write of start-up like the others: the
    /// machine's failures (a full disk, no file left to open) and a lock file that cannot be opened refuse in one line.
    /// </summary>
    private static DataDirLock? HoldDataDir(KeywayOptions options) => options.DatabaseUrl is null
        ? DataDirLock.Take(options.DataDir, StartupStep.StartAgain) ?? throw AlreadyRunning(options.DataDir)
        : null;

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
