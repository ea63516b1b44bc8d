namespace Keyway.Gateway;

/// <summary>
/// GET /health/ready: <c>ok</c> when the gateway can route (snapshot loaded, database answering); <c>status</c> is
/// "ok", "degraded" (serving, but something is wrong: see <c>reasons</c>) or "unavailable". The request-log
/// counters show rows waiting for the database and rows lost so far (dropped at the queue or given up).
/// </summary>
public sealed record ReadinessReport(bool Ok, string Status, IReadOnlyList<string> Reasons, long LogRowsPending, long LogRowsLost);
