using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dapper;
using Keyway.Cli;
using Keyway.Configuration;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyway.Tests.Cli;

/// <summary>`keyway serve` refusing to start: one line and exit 2, and nothing left behind in the data dir.</summary>
public sealed class ServeStartupTests
{
    [Fact]
    public async Task PostgresNotListening_ExitsWith2_InOneLineNamingWhere_WithoutThePassword()
    {
        using var dir = new TempDirectory();
        var port = LoopbackPort.Free();

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATABASE_URL"] = $"postgres://kw:pw-never-shown@127.0.0.1:{port}/keyway" });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"keyway: cannot open PostgreSQL at 127.0.0.1:{port}, database 'keyway' as role 'kw': Connection refused.", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("pw-never-shown", result.Error + result.Out);
    }

    /// <summary>A keyway.db SQLite cannot open (here no database at all; as well a file this user may not write): one line naming it.</summary>
    [Fact]
    public async Task SqliteDatabaseThatCannotBeOpened_ExitsWith2_InOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var database = Path.Combine(dataDir, "keyway.db");
        await File.WriteAllTextAsync(database, new string('x', 4096));

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"keyway: cannot open the SQLite database {database}: ", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    /// <summary>A keyway.db that is a directory threw IOException from the container before any one-line check could run.</summary>
    [Fact]
    public async Task SqliteDatabasePathThatIsADirectory_ExitsWith2_InOneLineSayingSo_WithoutWritingFiles()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var database = Directory.CreateDirectory(Path.Combine(dataDir, "keyway.db")).FullName;

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"keyway: cannot open the SQLite database {database}: it is a directory", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        // The empty keyway.lock stays: removing it would let two starts lock two files of that name (see DataDirLock).
        Assert.Equal([database, Path.Combine(dataDir, DataDirLock.FileName)], Directory.GetFileSystemEntries(dataDir).Order());
        Assert.Empty(Directory.GetFileSystemEntries(database));
    }

    [Fact]
    public async Task WrongSecret_ExitsWith2_WithoutWritingAnAdminToken()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var connections = new SqliteConnectionFactory(Path.Combine(dataDir, "keyway.db"));
        await new DatabaseInitializer(connections, new MigrationRunner(connections), new SecretBox(KeywayServer.Secret), TimeProvider.System, NullLogger<DatabaseInitializer>.Instance)
            .InitializeAsync(CancellationToken.None);

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_SECRET"] = "a-completely-different-secret-value" });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("keyway: KEYWAY_SECRET does not match the secret this database was created with.", result.Error);
        Assert.False(File.Exists(Path.Combine(dataDir, "admin.token")), "a refused start wrote data/admin.token");
    }

    /// <summary>
    /// A first start whose database took the generated secret and then failed (here the default group's insert, as a full
    /// disk would) keeps the secret: the next start opens that database instead of being refused as a wrong secret.
    /// </summary>
    [Fact]
    public async Task AStepFailingAfterTheDatabaseTookTheGeneratedSecret_KeepsTheSecret_ForTheNextStart()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(dataDir);
        var database = new SqliteConnectionFactory(Path.Combine(dataDir, "keyway.db"));
        await new MigrationRunner(database).ApplyAsync(CancellationToken.None);
        await ExecuteAsync(database, "CREATE TRIGGER refuse_groups BEFORE INSERT ON groups BEGIN SELECT RAISE(ABORT, 'no room for a group'); END;");

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_SECRET"] = "" }));
        Assert.Contains("no room for a group", failed.Message);
        Assert.True(File.Exists(Path.Combine(dataDir, KeywayOptionsLoader.SecretFileName)), "the secret the database took was not kept");

        await ExecuteAsync(database, "DROP TRIGGER refuse_groups;");
        using var taken = LoopbackPort.Taken();
        var next = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_SECRET"] = "", ["KEYWAY_PORT"] = LoopbackPort.PortOf(taken) });
        // Past the secret and the database: refused only for the port this test holds.
        Assert.Equal(2, next.ExitCode);
        Assert.Contains("address already in use", next.Error);
    }

    private static async Task ExecuteAsync(SqliteConnectionFactory database, string sql)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(sql);
    }

    /// <summary>
    /// A start refused for its port printed no admin token, so it keeps none: the next start generates one and prints it.
    /// The generated secret is kept, as the database already took it.
    /// </summary>
    [Fact]
    public async Task PortInUse_ExitsWith2_KeepingTheGeneratedSecret_ButNoAdminTokenItNeverPrinted()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        using var taken = LoopbackPort.Taken();
        var port = LoopbackPort.PortOf(taken);

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_PORT"] = port, ["KEYWAY_SECRET"] = "" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("address already in use", result.Error);
        Assert.True(File.Exists(Path.Combine(dataDir, KeywayOptionsLoader.SecretFileName)), "the secret the database took was not kept");
        Assert.False(File.Exists(Path.Combine(dataDir, KeywayOptionsLoader.AdminTokenFileName)), "a start refused for its port kept an admin token it never printed");
    }

    /// <summary>
    /// The last write of a start, keyway.pid, on a full disk (a link to /dev/full, which fails every write with ENOSPC as a
    /// full file system does): one line naming the file and the data dir's free space, exit 2, and the gateway that
    /// already listened stops.
    /// </summary>
    [Fact]
    public async Task PidFileOnAFullDisk_ExitsWith2_InOneLineWithTheFreeSpace_AndStopsListening()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var pidFile = File.CreateSymbolicLink(ServerStateFile.PathIn(dataDir), "/dev/full").FullName;
        var port = LoopbackPort.Free();

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_PORT"] = $"{port}" });

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(
            $"^keyway: could not write keyway\\.pid: No space left on device : '{Regex.Escape(pidFile)}'\\. " +
            $"The disk holding {Regex.Escape(dataDir)} has [0-9,]+ bytes free: free space there, then start Keyway again\\.\n$",
            result.Error);
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    /// <summary>
    /// keyway.lock whose creation alone meets a full disk: a link to a file on a <see cref="SmallDisk"/> with no file
    /// (inode) left, while the data dir's write probe before it passes on the data dir's own disk. One line naming the lock
    /// and what to do, exit 2, for `serve` as for `serve --detach`, not a stack trace.
    /// </summary>
    [SmallDiskFact]
    public Task LockOnADiskWithNoFileLeft_ExitsWith2_InOneLine() => LockRefusedOnAFullDisk();

    /// <inheritdoc cref="LockOnADiskWithNoFileLeft_ExitsWith2_InOneLine"/>
    [SmallDiskFact]
    public Task DetachWithTheLockOnADiskWithNoFileLeft_ExitsWith2_InOneLine() => LockRefusedOnAFullDisk("--detach");

    private static async Task LockRefusedOnAFullDisk(params string[] options)
    {
        using var dir = new TempDirectory();
        using var disk = new SmallDisk();
        disk.UseUpFiles(leave: 0);
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var lockFile = File.CreateSymbolicLink(Path.Combine(dataDir, DataDirLock.FileName), Path.Combine(disk.Path, DataDirLock.FileName)).FullName;

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir }, options);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(
            $"^keyway: could not take the data dir's lock keyway\\.lock: No space left on device : '{Regex.Escape(lockFile)}'\\. " +
            $"The disk holding {Regex.Escape(dataDir)} has [0-9,]+ bytes free: free space there, then start Keyway again\\.\n$",
            result.Error);
    }

    /// <summary>A keyway.lock that is a directory: one line saying so and what to do, exit 2, not a stack trace.</summary>
    [Fact]
    public async Task LockPathThatIsADirectory_ExitsWith2_InOneLineSayingSo()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        var lockDir = Directory.CreateDirectory(Path.Combine(dataDir, DataDirLock.FileName)).FullName;

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"keyway: cannot take the data dir's lock {lockDir}: it is a directory, not a file. Move it away (Keyway creates the empty file), or point KEYWAY_DATA_DIR elsewhere.\n",
            result.Error);
        Assert.Equal([lockDir], Directory.GetFileSystemEntries(dataDir));
    }

    /// <summary>
    /// A machine limit met while the web server starts, as `ulimit -n` makes .NET meet it in its hosted services (here a
    /// type initializer that could open no more files, as PosixSignalRegistration's does): one line naming the cause and
    /// what to do, not the wrapping exception's stack trace.
    /// </summary>
    [Fact]
    public async Task OpenFilesRunningOutWhileTheServerStarts_IsRefusedInOneLine()
    {
        using var dir = new TempDirectory();
        var options = KeywayOptionsLoader.Load(new Dictionary<string, string>
        {
            ["KEYWAY_DATA_DIR"] = dir.Path,
            ["KEYWAY_SECRET"] = KeywayServer.Secret,
            ["KEYWAY_ADMIN_TOKEN"] = KeywayServer.AdminToken,
            ["KEYWAY_PORT"] = "0",
        }, dir.Path);
        await using var app = KeywayApp.Build(options, services => services.AddHostedService<NoFileLeftToOpen>());
        await app.InitializeKeywayAsync(CancellationToken.None);

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => ServeCommand.ListenAsync(app, options));

        Assert.Equal(
            "could not start the web server: Too many open files. Keyway may open no more files (EMFILE, its limit of open files): raise that limit, " +
            "`ulimit -n` in the shell that starts it or LimitNOFILE= in its systemd unit, then start Keyway again.",
            refused.Message);
    }

    private sealed class NoFileLeftToOpen : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            throw new TypeInitializationException("System.Runtime.InteropServices.PosixSignalRegistration", new IOException("Too many open files", 24));

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A --wait-seconds outside 1 to 3600 is refused before anything starts in the background.</summary>
    [Fact]
    public async Task DetachWithAWaitSecondsOutOfRange_ExitsWith2_NamingTheRange_StartingNothing()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");

        var result = await new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_SECRET"] = KeywayServer.Secret })
            .RunAsync("serve", "--detach", "--wait-seconds", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("keyway: --wait-seconds must be between 1 and 3600, got 0", result.Error.TrimEnd());
        Assert.False(Directory.Exists(dataDir), "a refused --wait-seconds started a gateway");
    }

    /// <summary>
    /// A generated secret its disk has no room for (a real full disk, <see cref="SmallDisk"/>): one line naming secret.key
    /// and the free space, exit 2, before the database took the secret, and no secret.key at all, not an empty one that
    /// stops every later start: the next start with room generates a secret and opens the database.
    /// </summary>
    [SmallDiskFact]
    public async Task GeneratedSecretOnAFullDisk_ExitsWith2_InOneLine_LeavingNoSecretFile_ForTheNextStart()
    {
        using var dir = new TempDirectory();
        using var disk = new SmallDisk();
        disk.FillBytes();

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = disk.Path, ["KEYWAY_SECRET"] = "" });

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(
            $"^keyway: could not keep the generated secret in secret\\.key: No space left on device : '{Regex.Escape(Path.Combine(disk.Path, KeywayOptionsLoader.SecretFileName))}'\\. " +
            $"The disk holding {Regex.Escape(disk.Path)} has [0-9,]+ bytes free: free space there, then start Keyway again\\.\n$",
            result.Error);
        Assert.Equal([Path.Combine(disk.Path, "keyway.db"), Path.Combine(disk.Path, DataDirLock.FileName)], disk.Entries());

        disk.Free();
        using var taken = LoopbackPort.Taken();
        var next = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = disk.Path, ["KEYWAY_SECRET"] = "", ["KEYWAY_PORT"] = LoopbackPort.PortOf(taken) });
        // Past the secret and the database: refused only for the port this test holds.
        Assert.Equal(2, next.ExitCode);
        Assert.Contains("address already in use", next.Error);
    }

    /// <summary>A start refused before the database took the generated secret (here keyway.db is no database) keeps no secret.key.</summary>
    [Fact]
    public async Task AStartRefusedBeforeTheDatabaseTookTheGeneratedSecret_LeavesNoSecretFile()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dataDir, "keyway.db"), new string('x', 4096));

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = dataDir, ["KEYWAY_SECRET"] = "" });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("keyway: cannot open the SQLite database ", result.Error);
        Assert.False(File.Exists(Path.Combine(dataDir, KeywayOptionsLoader.SecretFileName)), "a start refused before the database took the secret kept it");
    }

    /// <summary>
    /// Creating the empty keyway.db on a disk whose files (inodes) are used up: one line naming the file and the free space,
    /// exit 2, not a stack trace from the container that built the connection factory. One file is left: the data dir's
    /// write probe takes it and frees it again, then keyway.lock takes it.
    /// </summary>
    [SmallDiskFact]
    public Task DatabaseFileOnADiskWithNoFileLeft_ExitsWith2_InOneLineWithTheFreeSpace() => RefusedOnASmallDisk(filesLeft: 1, disk =>
        $"could not create the database file keyway\\.db: No space left on device : '{Regex.Escape(Path.Combine(disk, "keyway.db"))}'");

    /// <summary>
    /// A data dir on a disk with no file left is not refused as "not a writable directory", which sends the operator to its
    /// permissions: one line naming the disk's free space and what to do, exit 2.
    /// </summary>
    [SmallDiskFact]
    public Task DataDirOnADiskWithNoFileLeft_ExitsWith2_InOneLineSayingToFreeSpace() => RefusedOnASmallDisk(filesLeft: 0, disk =>
        $"could not write into KEYWAY_DATA_DIR '{Regex.Escape(disk)}': No space left on device : '[^']+'");

    /// <summary>
    /// `serve --detach` whose log has no file left on the disk (keyway.lock took the last one): one line naming keyway.log
    /// and the free space, exit 2, and no gateway started in the background, not a stack trace.
    /// </summary>
    [SmallDiskFact]
    public Task DetachWithNoFileLeftForItsLog_ExitsWith2_InOneLineWithTheFreeSpace() => RefusedOnASmallDisk(filesLeft: 1, disk =>
        $"could not create the log keyway\\.log: No space left on device : '{Regex.Escape(Path.Combine(disk, ServeCommand.LogFileName))}'", "--detach");

    /// <summary>
    /// `keyway serve` on a <see cref="SmallDisk"/> with <paramref name="filesLeft"/> files (inodes) left: exit 2 and one line,
    /// <paramref name="failure"/> (a pattern, given the disk's path), then the disk's free space and what to do.
    /// </summary>
    private static async Task RefusedOnASmallDisk(int filesLeft, Func<string, string> failure, params string[] options)
    {
        using var dir = new TempDirectory();
        using var disk = new SmallDisk();
        disk.UseUpFiles(filesLeft);

        var result = await Serve(dir.Path, new() { ["KEYWAY_DATA_DIR"] = disk.Path }, options);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(
            $"^keyway: {failure(disk.Path)}\\. The disk holding {Regex.Escape(disk.Path)} has [0-9,]+ bytes free: free space there, then start Keyway again\\.\n$",
            result.Error);
    }

    /// <summary>Runs `keyway serve` in-process (on a free port unless one is given), with no admin token configured.</summary>
    private static Task<CliRunner.Result> Serve(string workingDirectory, Dictionary<string, string> environment, params string[] options)
    {
        environment["KEYWAY_HOST"] = "127.0.0.1";
        environment.TryAdd("KEYWAY_PORT", "0");
        environment["KEYWAY_LOG_LEVEL"] = "warning";
        environment.TryAdd("KEYWAY_SECRET", KeywayServer.Secret);
        return new CliRunner(null, workingDirectory, environment).RunAsync(["serve", .. options]);
    }
}
