namespace Keyway.Cli;

/// <summary>
/// data/keyway.lock, held exclusively by the one process that may write the data dir's SQLite database: a gateway for its
/// whole life, `db restore` while it replaces the file. The lock is the kernel's (the flock .NET takes for FileShare.None),
/// so it ends with its process, even one killed with SIGKILL, where keyway.pid would stay behind (or be deleted by
/// another process while its gateway runs). keyway.pid only names the holder. A PostgreSQL installation takes none:
/// several gateways share one database by design. The empty file stays when its holder ends: deleted, a start that opened
/// it just before could lock the deleted file while the next start locks a new one, and both would run.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    public const string FileName = "keyway.lock";

    // flock's EWOULDBLOCK, which .NET gives as the IOException's HResult: another open file holds the lock.
    private const int HeldElsewhere = 11;

    private readonly FileStream _file;

    private DataDirLock(FileStream file) => _file = file;

    /// <summary>The lock of <paramref name="dataDir"/> (an existing directory), or null while another process holds it.</summary>
    private static DataDirLock? TryTake(string dataDir)
    {
        try
        {
            return new DataDirLock(new FileStream(Path.Combine(dataDir, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e.HResult == HeldElsewhere)
        {
            return null;
        }
    }

    /// <summary>
    /// <see cref="TryTake"/> for a command (`serve`, `db restore`): creating keyway.lock is a write into the data dir, so
    /// the machine's failures (a full disk, no file left to open; <see cref="DataDirWrite"/>) and a lock file that cannot
    /// be opened (<see cref="CannotTake"/>) are the command's refusal in one line, exit 2. Null while another process holds it.
    /// </summary>
    /// <param name="again">What to do once it is fixed, after "then": <see cref="Storage.StartupStep.StartAgain"/>.</param>
    public static DataDirLock? Take(string dataDir, string again)
    {
        DataDirLock? taken = null;
        try
        {
            DataDirWrite.Run(dataDir, $"take the data dir's lock {FileName}", () => taken = TryTake(dataDir), again);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(CannotTake(dataDir, e), CliExitCodes.Usage);
        }
        return taken;
    }

    /// <summary>
    /// Why <see cref="TryTake"/> could not open the lock file, for a refusal in one line, when the reason is not the
    /// machine's (<see cref="Storage.OutOfResources"/>): .NET says only "Access … is denied" for a directory in its place.
    /// </summary>
    private static string CannotTake(string dataDir, Exception failure)
    {
        var path = Path.Combine(dataDir, FileName);
        return Directory.Exists(path)
            ? $"cannot take the data dir's lock {path}: it is a directory, not a file. Move it away (Keyway creates the empty file), or point KEYWAY_DATA_DIR elsewhere."
            : $"cannot take the data dir's lock {path}: {failure.Message.TrimEnd('.')}. Check that KEYWAY_DATA_DIR and the file are writable by this user.";
    }

    /// <summary>Who holds the lock, for a refusal: the pid and address keyway.pid records, or how to find the process without it.</summary>
    public static string Holder(string dataDir) => ServerStateFile.ReadLive(dataDir) is { } running
        ? $"pid {running.ProcessId} on {running.Address}"
        : $"pid unknown: {ServerStateFile.PathIn(dataDir)} is gone; `fuser -v {Path.Combine(dataDir, FileName)}` names the process";

    public void Dispose() => _file.Dispose();
}
