using System.Diagnostics;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A file system that really fills up: a tmpfs of 4 MiB and 64 files, mounted on a fresh directory and unmounted on
/// dispose. Writing past its room fails with ENOSPC ("No space left on device") as on a full disk, and so does creating a
/// file once its files (inodes) are used up, which no test can make of the machine's own disk. Mounting takes root and
/// CAP_SYS_ADMIN: <see cref="SmallDiskFactAttribute"/> skips where it cannot.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private const int NoSpaceLeftOnDevice = 28;
    private static readonly Lazy<string?> s_cannotMount = new(CannotMount);

    private readonly TempDirectory _mountPoint = new();
    private readonly List<string> _fillers = [];

    public SmallDisk()
    {
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=64,mode=0700", "tmpfs", _mountPoint.Path);
        }
        catch
        {
            _mountPoint.Dispose();
            throw;
        }
    }

    public string Path => _mountPoint.Path;

    /// <summary>Why no small disk can be mounted here, or null when one can.</summary>
    public static string? WhyNot => s_cannotMount.Value;

    /// <summary>Writes a filler file until not one byte more fits.</summary>
    public void FillBytes()
    {
        using var filler = new FileStream(NextFiller(), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });
        var page = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(page);
            }
        }
        catch (IOException e) when (e.HResult == NoSpaceLeftOnDevice)
        {
        }
    }

    /// <summary>Creates empty files until no file more can be created, then deletes <paramref name="leave"/> of them again.</summary>
    public void UseUpFiles(int leave)
    {
        try
        {
            while (true)
            {
                new FileStream(NextFiller(), FileMode.CreateNew, FileAccess.Write).Dispose();
            }
        }
        catch (IOException e) when (e.HResult == NoSpaceLeftOnDevice)
        {
            _fillers.RemoveAt(_fillers.Count - 1);
        }
        for (var i = 0; i < leave; i++)
        {
            File.Delete(_fillers[^1]);
            _fillers.RemoveAt(_fillers.Count - 1);
        }
    }

    /// <summary>Deletes every filler: the disk has room again.</summary>
    public void Free()
    {
        _fillers.ForEach(File.Delete);
        _fillers.Clear();
    }

    /// <summary>What the test left on the disk, fillers aside, sorted.</summary>
    public string[] Entries() => [.. Directory.GetFileSystemEntries(Path).Where(entry => !_fillers.Contains(entry)).Order()];

    public void Dispose()
    {
        // Lazily: a SQLite pool of the test may still hold a file open on it.
        Run("umount", "--lazy", Path);
        _mountPoint.Dispose();
    }

    private string NextFiller()
    {
        _fillers.Add(System.IO.Path.Combine(Path, $"filler-{_fillers.Count}"));
        return _fillers[^1];
    }

    private static string? CannotMount()
    {
        try
        {
            new SmallDisk().Dispose();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Trim()}");
        }
    }
}
