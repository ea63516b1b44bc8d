using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>The questions the data plane asks an issued key's policy.</summary>
public static class KeyPolicyRules
{
    /// <summary>The key may call <paramref name="route"/>: its alias is allowed, and a visitor key needs a route open to visitors.</summary>
    public static bool Allows(this IssuedKeyPolicy policy, RouteEntry route) =>
        policy.AllowsAlias(route.Alias) && (!policy.Visitor || route.ServesVisitors);

    public static bool AllowsAlias(this IssuedKeyPolicy policy, string alias)
    {
        if (policy.AllowedAliases.Count == 0)
        {
            return true;
        }
        foreach (var pattern in policy.AllowedAliases)
        {
            if (AliasGlob.Matches(pattern, alias))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the key has a rate window to count in (rpm, tpm or max_concurrency); budgets are counted for every key.</summary>
    public static bool HasRateLimits(this IssuedKeyPolicy policy) =>
        policy.Rpm is not null || policy.Tpm is not null || policy.MaxConcurrency is not null;
}
