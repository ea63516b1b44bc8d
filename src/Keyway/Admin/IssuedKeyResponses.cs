using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>An issued key in lists: its prefix, never its plaintext or hash; its policy (null limits: none).</summary>
public sealed record IssuedKeyResponse(
    string KeyId,
    string GroupId,
    string Name,
    string OwnerUserId,
    string KeyPrefix,
    bool Enabled,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string WebSearch,
    IReadOnlyList<string> AllowedAliases,
    int? Rpm,
    long? Tpm,
    int? MaxConcurrency,
    long? DailyTokenBudget,
    long? MonthlyTokenBudget,
    bool Visitor);

public sealed record IssuedKeyEnvelope(IssuedKeyResponse Key) : OkEnvelope;

public sealed record IssuedKeyListEnvelope(IReadOnlyList<IssuedKeyResponse> Keys) : OkEnvelope;

public sealed record IssuedKeyCreatedResponse(IssuedKeyResponse Key, string Plaintext, string PlaintextNote) : OkEnvelope;

public sealed record IssuedKeyPlaintextResponse(string KeyId, string Plaintext) : OkEnvelope;

internal static class IssuedKeyResponseMapping
{
    public static IssuedKeyResponse AsResponse(this IssuedKeyRecord key) => new(
        key.KeyId, key.GroupId, key.Name, key.OwnerUserId, key.KeyPrefix, key.Enabled, key.ExpiresAt, key.LastUsedAt,
        key.CreatedAt, key.UpdatedAt, key.WebSearch.Name(), key.Policy.AllowedAliases, key.Policy.Rpm, key.Policy.Tpm,
        key.Policy.MaxConcurrency, key.Policy.DailyTokenBudget, key.Policy.MonthlyTokenBudget, key.Policy.Visitor);
}
