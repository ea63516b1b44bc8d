namespace Keyway.Storage;

/// <summary>One instance's rpm/tpm window of a key and its requests in flight, as exchanged through key_rate_windows.</summary>
public sealed record KeyRateShare(string KeyId, DateTimeOffset WindowStart, long Requests, long Tokens, long InFlight, DateTimeOffset UpdatedAt);
