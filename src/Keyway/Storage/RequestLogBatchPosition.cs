namespace Keyway.Storage;

/// <summary>
/// Where a batch stands in its writer's rows: <paramref name="WriterId"/> names the writer (one per process), and
/// <paramref name="FirstRow"/> is the place of the batch's first row among all the rows that writer took, the others
/// following in order. A retried batch keeps its rows' places, so the rows its earlier try committed are known.
/// </summary>
public readonly record struct RequestLogBatchPosition(string WriterId, long FirstRow);
