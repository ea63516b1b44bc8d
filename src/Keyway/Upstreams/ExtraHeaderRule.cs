namespace Keyway.Upstreams;

/// <summary>
/// How a provider's extra headers reach the upstream, the same for an HTTP call and the Responses WebSocket handshake:
/// the provider's header replaces the client's of the same name (<c>anthropic-beta</c> for an upstream that refuses some
/// betas: "Unexpected value(s) … for the anthropic-beta header"), an empty value keeps the header from the upstream
/// altogether, and the upstream key's authentication is never replaced.
/// </summary>
internal static class ExtraHeaderRule
{
    /// <summary>
    /// Applies <paramref name="extraHeaders"/> to <paramref name="headers"/> being built, through the collection's own remove
    /// and add (static lambdas: nothing is allocated on a request's path).
    /// </summary>
    public static void Apply<THeaders>(
        IReadOnlyList<KeyValuePair<string, string>> extraHeaders, THeaders headers, Action<THeaders, string> remove, Action<THeaders, string, string> add)
    {
        foreach (var (name, value) in extraHeaders)
        {
            if (name.Equals("authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("x-api-key", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            remove(headers, name);
            if (value.Length > 0)
            {
                add(headers, name, value);
            }
        }
    }
}
