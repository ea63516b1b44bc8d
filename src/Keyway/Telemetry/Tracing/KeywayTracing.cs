using System.Diagnostics;

namespace Keyway.Telemetry.Tracing;

/// <summary>
/// Keyway's spans: one per client request ("keyway.request") and, under it, one per upstream attempt
/// ("keyway.upstream"). Without a listener (tracing off) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and costs one check. Spans carry names, ids and statuses only: never a secret, never prompt content.
/// </summary>
public static class KeywayTracing
{
    public const string SourceName = "Keyway";
    public const string RequestSpan = "keyway.request";
    public const string AttemptSpan = "keyway.upstream";

    public static readonly ActivitySource Source = new(SourceName, AppVersion.Current);
}
