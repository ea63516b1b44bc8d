using Keyway.Configuration;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Configuration;

/// <summary>A generated secret's file, written through a temporary file: see the full disk in KeywayOptionsLoaderTests.</summary>
public sealed class OwnerOnlyFileTests
{
    [Fact]
    public void WritesTheValue_ReadableByItsOwnerOnly_LeavingNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, KeywayOptionsLoader.SecretFileName);

        OwnerOnlyFile.WriteNew(file, "s3cret-välue");

        Assert.Equal("s3cret-välue", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>Another process that wrote the file first keeps its value: this write fails, as creating the file would.</summary>
    [Fact]
    public void AFileThatExists_IsNotReplaced()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, KeywayOptionsLoader.AdminTokenFileName);
        OwnerOnlyFile.WriteNew(file, "first");

        Assert.Throws<IOException>(() => OwnerOnlyFile.WriteNew(file, "second"));

        Assert.Equal("first", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(dir.Path));
    }
}
