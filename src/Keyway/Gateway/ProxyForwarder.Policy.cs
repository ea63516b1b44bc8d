namespace Keyway.Gateway;

/// <summary>Step 2b: the issued key's policy, after the alias is resolved and before anything is sent upstream.</summary>
public sealed partial class ProxyForwarder
{
    /// <summary>
    /// 403 for an alias the key may not call, 429 with Retry-After for a spent budget or a reached limit; a key with rpm or
    /// tpm gets its x-ratelimit-* headers on every answer.
    /// </summary>
    private async Task<bool> AdmitByKeyPolicyAsync(ProxyExchange exchange)
    {
        var key = exchange.Key!;
        var admission = keyPolicy.Admit(key, exchange.Route!);
        exchange.Admission = admission;
        var response = exchange.Context.Response;
        if (admission.Rate is { } rate && (key.Policy.Rpm is not null || key.Policy.Tpm is not null))
        {
            var now = time.GetUtcNow();
            RateLimitHeaders.Set(response.Headers, key.Policy, rate, now);
            // The upstream's own x-ratelimit-* headers are copied later; the key's win.
            response.OnStarting(() =>
            {
                RateLimitHeaders.Set(response.Headers, key.Policy, rate, now);
                return Task.CompletedTask;
            });
        }
        if (admission.Refusal is not { } refusal)
        {
            return true;
        }
        if (refusal.RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = KeyPolicyMessages.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await RejectAsync(exchange, refusal.Status, refusal.Message, refusal.Code);
        return false;
    }
}
