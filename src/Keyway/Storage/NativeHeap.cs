using System.Runtime.InteropServices;

namespace Keyway.Storage;

/// <summary>
/// Keeps freed native memory in the process for reuse instead of handing it back to the OS at once. In WAL mode SQLite
/// drops a connection's whole page cache whenever another connection has written: the request-log writer's ~1 MB every
/// second, when the key-usage sync writes. glibc gave each such megabyte back with <c>madvise</c> and took the page faults
/// to refill it (~540 a second on the writer at one connection; each costs a trip through the hypervisor on a VM).
/// Keeping up to <see cref="TrimThresholdBytes"/> of free memory per heap ends that: 2–5% less CPU per request at one
/// connection (bench/RESULTS.md). Memory freed beyond it is still returned.
/// The threshold holds per heap, and glibc gives a thread that finds the heaps busy a heap of its own, up to 8 per core:
/// in the mixed soak (bench/soak) the admin stats queries' sorts, run on many pool threads at once, left 16 heaps on 2
/// cores holding 194 MB free of 261 MB, and RSS grew from 177 to 392 MB. So the heaps are capped at
/// <see cref="MaxHeaps"/> (the request path allocates on the managed heap; SQLite's callers are the writer thread and
/// the admin API), which bounds what the threshold keeps.
/// </summary>
public static class NativeHeap
{
    internal const int TrimThresholdBytes = 32 * 1024 * 1024;

    internal const int TrimThresholdOption = -1; // M_TRIM_THRESHOLD in glibc's malloc.h

    internal const int MaxHeaps = 2;

    internal const int ArenaMaxOption = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>
    /// Sets glibc's trim threshold to <see cref="TrimThresholdBytes"/> and its number of heaps to <see cref="MaxHeaps"/>,
    /// each unless <c>GLIBC_TUNABLES</c> already chose it; false where the threshold was not set (another C library,
    /// another OS, or the operator's own setting).
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return Configure(Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "", SetOption);
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary><see cref="KeepFreedMemory"/> with the operator's tunables and glibc's <c>mallopt</c> given.</summary>
    internal static bool Configure(string tunables, Func<int, int, int> setOption)
    {
        if (!tunables.Contains("glibc.malloc.arena_max", StringComparison.Ordinal))
        {
            setOption(ArenaMaxOption, MaxHeaps);
        }
        return !tunables.Contains("glibc.malloc.trim_threshold", StringComparison.Ordinal)
            && setOption(TrimThresholdOption, TrimThresholdBytes) == 1;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int SetOption(int option, int value);
}
