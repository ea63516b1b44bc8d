using System.Text;

namespace Keyway.Configuration;

/// <summary>
/// A generated secret's file (secret.key, admin.token), written whole or not at all: through a temporary file in the same
/// directory, created readable by its owner only (so the secret is never readable by others, not even for an instant),
/// flushed to the disk, then moved into place. A write that fails half-way (a full disk) leaves neither file behind:
/// an empty or partial file in place would stop every later start ("… is empty") or be taken as the secret.
/// </summary>
public static class OwnerOnlyFile
{
    /// <summary>
    /// Writes <paramref name="value"/> as <paramref name="path"/>, which must not exist: when another process wrote it
    /// first, theirs stays and this throws, as creating it would.
    /// </summary>
    public static void WriteNew(string path, string value)
    {
        // A random name: one left by a process killed while writing never blocks a later write.
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var file = new FileStream(temporary, options))
            {
                file.Write(Encoding.UTF8.GetBytes(value));
                // fsync: a file system that allocates late (NFS, XFS's delayed allocation) reports a full disk here, not at write.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && e.Message.Contains(temporary, StringComparison.Ordinal))
        {
            Remove(temporary);
            // .NET's words name the temporary file, removed again by now: the refusal names the file the operator looks for.
            throw new IOException(e.Message.Replace(temporary, path, StringComparison.Ordinal), e.HResult);
        }
        catch
        {
            Remove(temporary);
            throw;
        }
    }

    /// <summary>Deletes what a failed write left; its own failure must not hide the write's.</summary>
    private static void Remove(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's failure says what to fix; a temporary file it leaves holds the secret at 0600 and blocks nothing.
        }
    }
}
