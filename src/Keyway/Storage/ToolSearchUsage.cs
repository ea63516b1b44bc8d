namespace Keyway.Storage;

/// <summary>Searches a tool provider ran (and how many of them failed) since the last flush, and when the latest ran.</summary>
public sealed record ToolSearchUsage(long Searches, long Failures, DateTimeOffset LastSearchAt);
