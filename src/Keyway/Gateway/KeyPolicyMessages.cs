using System.Globalization;

namespace Keyway.Gateway;

/// <summary>The error texts of issued keys' access policies.</summary>
internal static class KeyPolicyMessages
{
    public static string AliasNotAllowed(string alias) => $"model '{alias}' is not allowed for this API key";

    /// <summary>A route closed to visitors; one that allows them but has no upstream key with allow_visitor says so, for the admin to fix.</summary>
    public static string NotForVisitors(string alias, bool routeAllowsVisitors) => routeAllowsVisitors
        ? $"model '{alias}' is not open to visitor keys: the route allows visitors, but none of its upstream keys has allow_visitor"
        : $"model '{alias}' is not open to visitor keys";

    public static string RequestsPerMinute(int rpm, TimeSpan wait) =>
        $"Rate limit reached for requests: this API key may send {rpm} requests per minute. Please try again in {Seconds(wait)}s.";

    public static string TokensPerMinute(long tpm, TimeSpan wait) =>
        $"Rate limit reached for tokens: this API key may use {tpm} tokens per minute. Please try again in {Seconds(wait)}s.";

    public static string Concurrency(int max) =>
        $"Too many concurrent requests: this API key may have {max} requests in flight. Please try again when one has finished.";

    public static string BudgetSpent(string which, long budget, DateTimeOffset resetsAt) =>
        $"The {which} token budget of this API key ({budget} tokens) is spent; it resets at {resetsAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}.";

    /// <summary>Whole seconds, rounded up, at least 1: what Retry-After and the messages say.</summary>
    public static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
}
