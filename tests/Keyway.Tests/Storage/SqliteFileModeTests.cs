using Keyway.Security;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Storage;

/// <summary>The SQLite database holds sealed keys and the request log: it is readable by its owner only, and so are its WAL files.</summary>
public sealed class SqliteFileModeTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task NewDatabase_AndItsWalFiles_AreOwnerOnly()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "keyway.db");

        await using (var connection = await new SqliteConnectionFactory(path).OpenAsync(CancellationToken.None))
        {
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
            await create.ExecuteNonQueryAsync();

            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path + "-wal"));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path + "-shm"));
        }
    }

    /// <summary>A database made before new ones were owner-only, or put in place by hand, is made so at start, in one log line.</summary>
    [Fact]
    public async Task ExistingDatabase_AndItsWalFiles_AreMadeOwnerOnlyAtStart_SayingSoOnce()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "keyway.db");
        var connections = new SqliteConnectionFactory(path);
        await Initializer(connections, new CapturedLog()).InitializeAsync(CancellationToken.None);
        // A connection kept open keeps the -wal and -shm files, as a gateway of an older version running until just now.
        await using var open = await connections.OpenAsync(CancellationToken.None);
        string[] files = [path, path + "-wal", path + "-shm"];
        foreach (var file in files)
        {
            File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        var log = new CapturedLog();

        await Initializer(connections, log).InitializeAsync(CancellationToken.None);

        Assert.All(files, file => Assert.Equal(OwnerOnly, File.GetUnixFileMode(file)));
        Assert.Equal(1, log.Count);
        Assert.Contains("Made keyway.db (was 0644), keyway.db-wal (was 0644), keyway.db-shm (was 0644) readable by their owner only (0600)", log.Text);

        await Initializer(connections, log).InitializeAsync(CancellationToken.None);
        Assert.Equal(1, log.Count);
    }

    private static DatabaseInitializer Initializer(IDbConnectionFactory connections, CapturedLog log) =>
        new(connections, new MigrationRunner(connections), new SecretBox("file-mode-secret-0123456789"), TimeProvider.System,
            new Logger<DatabaseInitializer>(new LoggerFactory([log])));
}
