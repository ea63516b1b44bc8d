using System.Net.Sockets;
using System.Runtime;
using System.Text;

/// <summary>
/// Loaded into Keyway by DOTNET_STARTUP_HOOKS when bench/run.sh runs with --probe. Every connection to the Unix
/// socket KEYWAY_PROBE_SOCKET gets one line of the runtime's own counters, so the driver can difference them around a
/// wrk run: bytes allocated and GCs per request, GC pause time, assemblies loaded, thread-pool threads. With
/// KEYWAY_PROBE_LOADS set, every assembly load after the hook is appended to that file with the stack that caused it,
/// to find what start-up loads that the data plane does not need.
/// </summary>
internal static class StartupHook
{
    private static AllocationTicks? s_allocations;

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("KEYWAY_PROBE_LOADS") is { Length: > 0 } loads)
        {
            AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
                File.AppendAllText(loads, $"== {e.LoadedAssembly.GetName().Name}\n{Environment.StackTrace}\n");
        }
        if (Environment.GetEnvironmentVariable("KEYWAY_PROBE_ALLOCATIONS") == "1")
        {
            s_allocations = new AllocationTicks();
        }
        var path = Environment.GetEnvironmentVariable("KEYWAY_PROBE_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        new Thread(() => Serve(listener)) { IsBackground = true, Name = "Keyway bench probe" }.Start();
    }

    private static void Serve(Socket listener)
    {
        while (true)
        {
            using var connection = listener.Accept();
            connection.Send(Encoding.ASCII.GetBytes(Snapshot()));
            connection.Shutdown(SocketShutdown.Both);
        }
    }

    /// <summary>Size of gen0, gen1, gen2, LOH and POH after the last GC.</summary>
    private static long[] Generations(GCMemoryInfo info)
    {
        var sizes = new long[info.GenerationInfo.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = info.GenerationInfo[i].SizeAfterBytes;
        }
        return sizes;
    }

    private static string Snapshot()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return FormattableString.Invariant(
            $"{{\"allocated_bytes\":{GC.GetTotalAllocatedBytes(precise: true)},\"gen0\":{GC.CollectionCount(0)},\"gen1\":{GC.CollectionCount(1)},\"gen2\":{GC.CollectionCount(2)},") +
            FormattableString.Invariant(
            $"\"pause_ms\":{GC.GetTotalPauseDuration().TotalMilliseconds:F3},\"heap_bytes\":{GC.GetTotalMemory(false)},\"committed_bytes\":{info.TotalCommittedBytes},") +
            FormattableString.Invariant(
            $"\"after_last_gc\":{{\"index\":{info.Index},\"generation\":{info.Generation},\"heap_bytes\":{info.HeapSizeBytes},\"promoted_bytes\":{info.PromotedBytes},\"fragmented_bytes\":{info.FragmentedBytes},\"pause_ms\":{info.PauseDurations[0].TotalMilliseconds:F3},\"generations_bytes\":[{string.Join(",", Generations(info))}]}},") +
            FormattableString.Invariant(
            $"\"assemblies\":{AppDomain.CurrentDomain.GetAssemblies().Length},\"threads\":{ThreadPool.ThreadCount},\"jit_methods\":{System.Runtime.JitInfo.GetCompiledMethodCount()},\"server_gc\":{(GCSettings.IsServerGC ? "true" : "false")},") +
            $"\"allocation_ticks\":{s_allocations?.TopJson() ?? "null"}}}\n";
    }
}
