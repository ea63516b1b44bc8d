using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>The SQLite database holds sealed keys and the request log: a new one is readable by its owner only, and so are its WAL files.</summary>
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

    [Fact]
    public async Task ExistingDatabase_KeepsTheModeItsOwnerGaveIt()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "keyway.db");
        const UnixFileMode GroupReadable = OwnerOnly | UnixFileMode.GroupRead;
        await File.WriteAllBytesAsync(path, []);
        File.SetUnixFileMode(path, GroupReadable);

        await using (await new SqliteConnectionFactory(path).OpenAsync(CancellationToken.None))
        {
            Assert.Equal(GroupReadable, File.GetUnixFileMode(path));
        }
    }
}
