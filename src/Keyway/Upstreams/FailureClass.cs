namespace Keyway.Upstreams;

/// <summary>Why one upstream attempt failed, which decides whether another key is tried and whether the key cools down.</summary>
public enum FailureClass
{
    /// <summary>401/403 (not a flagged input, nor a vendor's quota signal): the key is refused; it cools down at once and is quarantined when it happens again.</summary>
    Credential,

    /// <summary>402, a 429 that says the credit is used up, or a vendor's balance or arrears signal at any status: the key cools down at once.</summary>
    Quota,

    /// <summary>429 (or DashScope's Throttling.* at any status): the key cools down at once when the upstream said for how long (Retry-After), else after the threshold.</summary>
    RateLimit,

    /// <summary>Any other 4xx, and a 403 saying the input was flagged: the caller's own mistake, relayed at once; no retry, no cooldown.</summary>
    CallerFault,

    /// <summary>5xx, a refused connection or a timeout before the first byte: the next key is tried; the key cools after the threshold.</summary>
    Transient,

    /// <summary>An outcome no rule covers: relayed as it is, never retried.</summary>
    Unknown,
}

public static class FailureClassExtensions
{
    /// <summary>True when another key (or fallback target) may answer instead, as long as nothing reached the client.</summary>
    public static bool IsRetryable(this FailureClass failure) =>
        failure is FailureClass.Credential or FailureClass.Quota or FailureClass.RateLimit or FailureClass.Transient;

    /// <summary>True when the key itself is at fault (its credential, quota or rate), not the provider as a whole.</summary>
    public static bool IsPerKey(this FailureClass failure) =>
        failure is FailureClass.Credential or FailureClass.Quota or FailureClass.RateLimit;

    /// <summary>True when the key is cooled at once instead of after the consecutive-failure threshold.</summary>
    public static bool CoolsAtOnce(this FailureClass failure, bool hasRetryAfter) =>
        failure is FailureClass.Credential or FailureClass.Quota || (failure == FailureClass.RateLimit && hasRetryAfter);
}
