namespace Keyway.Configuration;

/// <summary>
/// The limits Kestrel enforces on every connection, so a slow or endless client cannot pin the server: a request's
/// headers must arrive within <see cref="HeadersTimeout"/> and fit in <see cref="MaxHeaderBytes"/>; a body (and a
/// response the client reads) must move at <see cref="MinDataRateBytesPerSecond"/> after a 5 s grace period; at most
/// <see cref="MaxConnections"/> connections are open at once (more are refused at accept).
/// </summary>
public sealed record ServerLimits(int MaxHeaderBytes, TimeSpan HeadersTimeout, int MinDataRateBytesPerSecond, int MaxConnections)
{
    /// <summary>
    /// How long a relayed stream's write may wait for a client that takes nothing (Kestrel's rate check misses it: the
    /// bytes already written to its buffers earn the client time at the minimum rate). Not an environment variable: tests shorten it.
    /// </summary>
    internal TimeSpan ClientStallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><see cref="ClientStallTimeout"/>, or null when the data-rate checks are off (<c>KEYWAY_MIN_DATA_RATE=0</c>).</summary>
    public TimeSpan? ClientStall => MinDataRateBytesPerSecond == 0 ? null : ClientStallTimeout;

    /// <summary>The grace period before the minimum data rate applies (Kestrel's default).</summary>
    public static readonly TimeSpan DataRateGracePeriod = TimeSpan.FromSeconds(5);

    public static ServerLimits Default { get; } = new(
        MaxHeaderBytes: 64 * 1024, HeadersTimeout: TimeSpan.FromSeconds(15), MinDataRateBytesPerSecond: 240, MaxConnections: 10_000);
}
