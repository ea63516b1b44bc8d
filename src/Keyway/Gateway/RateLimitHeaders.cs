using System.Globalization;
using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// The rate-limit headers OpenAI sends (x-ratelimit-limit/remaining/reset-requests and -tokens), for a key with rpm or
/// tpm; they replace any the upstream sent, since the client's limits are the key's.
/// </summary>
internal static class RateLimitHeaders
{
    public static void Set(IHeaderDictionary headers, IssuedKeyPolicy policy, RateState state, DateTimeOffset now)
    {
        var reset = KeyPolicyMessages.Seconds(state.ResetAt - now).ToString(CultureInfo.InvariantCulture) + "s";
        if (policy.Rpm is { } rpm)
        {
            headers["x-ratelimit-limit-requests"] = rpm.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = Math.Max(0, rpm - state.Requests).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = reset;
        }
        if (policy.Tpm is { } tpm)
        {
            headers["x-ratelimit-limit-tokens"] = tpm.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, tpm - state.Tokens).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = reset;
        }
    }
}
