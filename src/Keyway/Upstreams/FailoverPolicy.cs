namespace Keyway.Upstreams;

/// <summary>
/// The failover and cooldown knobs. The first three and <see cref="KeyWait"/> can be set per provider (null columns take
/// these defaults); the rest are global.
/// </summary>
public sealed record FailoverPolicy
{
    public static FailoverPolicy Default { get; } = new();

    /// <summary>Further keys tried within one provider's pool after the first attempt failed.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Consecutive failures after which a key cools down (401/403, quota and 429 with Retry-After cool at once).</summary>
    public int KeyFailureThreshold { get; init; } = 2;

    /// <summary>How long a key cools when the upstream gave no Retry-After.</summary>
    public TimeSpan KeyCooldown { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a request may wait for a key of the pool when none can take it now (every key at its max_concurrency or
    /// cooling down); zero answers at once.
    /// </summary>
    public TimeSpan KeyWait { get; init; } = TimeSpan.Zero;

    /// <summary>Consecutive failures after which a key is quarantined (skipped until a probe or an admin clears it).</summary>
    public int QuarantineAfterFailures { get; init; } = 5;

    /// <summary>401/403 answers after which a key is quarantined.</summary>
    public int QuarantineAfterCredentialFailures { get; init; } = 2;

    /// <summary>How often each quarantined key is probed with one tiny request.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive whole-pool failures after which a fallback target is moved behind the others.</summary>
    public int CircuitFailureThreshold { get; init; } = 3;

    /// <summary>How long an opened circuit keeps its target at the back of the order.</summary>
    public TimeSpan CircuitOpen { get; init; } = TimeSpan.FromSeconds(60);

    public FailoverPolicy WithProviderOverrides(int? maxRetries, int? keyFailureThreshold, int? keyCooldownSeconds, int? keyWaitSeconds = null) => this with
    {
        MaxRetries = maxRetries ?? MaxRetries,
        KeyFailureThreshold = keyFailureThreshold ?? KeyFailureThreshold,
        KeyCooldown = keyCooldownSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : KeyCooldown,
        KeyWait = keyWaitSeconds is { } wait ? TimeSpan.FromSeconds(wait) : KeyWait,
    };
}
