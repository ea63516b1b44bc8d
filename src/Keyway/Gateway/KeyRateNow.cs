namespace Keyway.Gateway;

/// <summary>
/// An issued key's requests and tokens in its running rpm/tpm window and its requests in flight, across instances, as
/// its limits see them now; <see cref="ResetAt"/>: when the window ends (null: none running).
/// </summary>
public readonly record struct KeyRateNow(long Requests, long Tokens, long InFlight, DateTimeOffset? ResetAt);
