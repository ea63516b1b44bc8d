using Keyway.Telemetry;

namespace Keyway.Storage;

/// <summary>A stored request-log row: the entry as the data plane enqueued it, plus its id and the instance that wrote it.</summary>
public sealed record RequestLogRecord(long LogId, RequestLogEntry Entry, string? InstanceId = null);

/// <summary>One page of rows, newest first; <see cref="NextCursor"/> is the `before` of the next page, null on the last one.</summary>
public sealed record RequestLogPage(IReadOnlyList<RequestLogRecord> Rows, long? NextCursor);
