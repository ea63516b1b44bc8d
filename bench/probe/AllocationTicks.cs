using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text;

/// <summary>
/// With KEYWAY_PROBE_ALLOCATIONS=1: the runtime's GCAllocationTick events (one per ~100 KB allocated, naming the type
/// whose allocation crossed the mark) counted per type, a sampled picture of what the request path allocates.
/// </summary>
internal sealed class AllocationTicks : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly ConcurrentDictionary<string, long> _ticks = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is { } payload
            && e.PayloadNames!.IndexOf("TypeName") is var index and >= 0)
        {
            _ticks.AddOrUpdate(payload[index] as string ?? "?", 1, (_, n) => n + 1);
        }
    }

    /// <summary>The 40 types with the most ticks, as a JSON object (type → ticks).</summary>
    public string TopJson()
    {
        var json = new StringBuilder("{");
        foreach (var (type, ticks) in _ticks.OrderByDescending(p => p.Value).Take(40))
        {
            json.Append(json.Length > 1 ? "," : "").Append('"').Append(type.Replace("\"", "'")).Append("\":").Append(ticks);
        }
        return json.Append('}').ToString();
    }
}
