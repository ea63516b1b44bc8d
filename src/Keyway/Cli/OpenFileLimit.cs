using System.Runtime.InteropServices;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// The process's limit of open files (RLIMIT_NOFILE). Every client connection, upstream connection, SQLite file and
/// thread pipe takes one, and at the limit .NET fails where it happens to be: a refused connection, SQLite's "unable to
/// open database file", or a thread the runtime cannot start, which ends the whole process ("Out of memory.", SIGABRT).
/// So the soft limit is raised to the hard one at start, as .NET's own runtime does under <c>dotnet keyway.dll</c> and
/// Go's does for every program (a shell's or systemd's soft 1024 is kept for old select() programs; the Native AOT
/// binary would keep it), and a gateway whose limit is still below <see cref="NeededToServe"/> is refused at start.
/// </summary>
public static class OpenFileLimit
{
    /// <summary>
    /// The least limit a gateway starts with: about 210 files of its own under <c>dotnet keyway.dll</c> (one per assembly,
    /// 20 as the Native AOT binary), the rest for connections, two a proxied request; and the soft limit most systems set.
    /// </summary>
    public const ulong NeededToServe = 1024;

    internal const int NoFileResource = 7; // RLIMIT_NOFILE in Linux's asm-generic/resource.h

    /// <summary>Raises the soft limit to the hard one, where it is lower and the OS allows; does nothing off Linux.</summary>
    public static void RaiseToTheHardLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            if (GetLimit(NoFileResource, out var limit) == 0 && limit.Soft < limit.Hard)
            {
                // Refused (the hard limit above fs.nr_open): the soft limit stays, and the start checks it.
                _ = SetLimit(NoFileResource, limit with { Soft = limit.Hard });
            }
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc or musl: the limit stays as it was set.
        }
    }

    /// <summary>Refuses a gateway start, exit 2, when the limit in force is below <see cref="NeededToServe"/>.</summary>
    public static void EnsureRoomToServe() => EnsureRoomToServe(OperatingSystem.IsLinux() ? InForce() : null);

    /// <summary><see cref="EnsureRoomToServe()"/> for a given limit in force; null where it is unknown.</summary>
    internal static void EnsureRoomToServe(ulong? limit)
    {
        if (limit < NeededToServe)
        {
            throw new CliException(
                $"could not start: Keyway may open at most {limit} files, fewer than the {NeededToServe} it needs to serve (each client connection, " +
                $"upstream connection and database file takes one): {OutOfResources.RaiseTheOpenFileLimit}, then {StartupStep.StartAgain}.",
                CliExitCodes.Usage);
        }
    }

    private static ulong? InForce()
    {
        try
        {
            return GetLimit(NoFileResource, out var limit) == 0 ? limit.Soft : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct ResourceLimit(ulong Soft, ulong Hard);

    [DllImport("libc", EntryPoint = "getrlimit")]
    internal static extern int GetLimit(int resource, out ResourceLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit")]
    internal static extern int SetLimit(int resource, in ResourceLimit limit);
}
