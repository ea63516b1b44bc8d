using System.Runtime.InteropServices;

namespace Keyway.Storage;

/// <summary>
/// Keeps freed native memory in the process for reuse instead of handing it back to the OS at once. In WAL mode SQLite
/// drops a connection's whole page cache whenever another connection has written: the request-log writer's ~1 MB every
/// second, when the key-usage sync writes. glibc gave each such megabyte back with <c>madvise</c> and took the page faults
/// to refill it (~540 a second on the writer at one connection; each costs a trip through the hypervisor on a VM).
/// Keeping up to <see cref="TrimThresholdBytes"/> of free memory per heap ends that: 2–5% less CPU per request at one
/// connection (bench/RESULTS.md). Memory freed beyond it is still returned.
/// </summary>
public static class NativeHeap
{
    private const int TrimThresholdBytes = 32 * 1024 * 1024;

    private const int TrimThresholdOption = -1; // M_TRIM_THRESHOLD in glibc's malloc.h

    /// <summary>
    /// Sets glibc's trim threshold to <see cref="TrimThresholdBytes"/>, unless <c>GLIBC_TUNABLES</c> already chose one;
    /// false where it did not (another C library, another OS, or the operator's own setting).
    /// </summary>
    public static bool KeepFreedMemory()
    {
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        if (!OperatingSystem.IsLinux() || tunables.Contains("glibc.malloc.trim_threshold", StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            return SetOption(TrimThresholdOption, TrimThresholdBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int SetOption(int option, int value);
}
