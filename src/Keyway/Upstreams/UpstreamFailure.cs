namespace Keyway.Upstreams;

/// <summary>
/// One failed attempt as the cooldown book records it. <paramref name="Status"/> is the upstream's HTTP status
/// (0 for a connection failure or timeout); <paramref name="ModelScoped"/> means the upstream named the model,
/// so only this key × model cools down.
/// </summary>
public sealed record UpstreamFailure(FailureClass Class, int Status, TimeSpan? RetryAfter, bool ModelScoped, string Message);
