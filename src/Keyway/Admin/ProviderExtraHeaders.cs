using Keyway.Security;

namespace Keyway.Admin;

/// <summary>
/// The extra_headers of a provider's create or edit, sealed for storage (<see cref="SealedHeaders"/>). Admin reads show
/// each value masked, so a GET → edit → PATCH round trip (the admin UI, <c>keyway export</c> then <c>apply</c>) sends the
/// masks back: a mask that matches the stored value of the same header keeps that value; any other mask is refused,
/// never stored in place of the value.
/// </summary>
internal static class ProviderExtraHeaders
{
    private const string Field = "extra_headers";

    /// <summary>The sealed headers the body asks for (empty for null), or null when it names none.</summary>
    public static Dictionary<string, string>? Read(RequestBody body, IReadOnlyDictionary<string, string>? stored, SecretBox secrets)
    {
        if (!body.Has(Field))
        {
            return null;
        }
        var sealedHeaders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in CheckNames(body))
        {
            sealedHeaders[name] = SecretMask.IsMask(value) ? KeptValue(name, value, stored, secrets) : secrets.Seal(value);
        }
        return sealedHeaders;
    }

    /// <summary>
    /// The headers the body names (none for null or absent), refusing a name the HTTP client writes itself, and one that
    /// carries the upstream key: the key's own header would win over it, so it was never sent (the key goes in
    /// <c>api_key</c>, the header that carries it is <c>auth_header</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> CheckNames(RequestBody body)
    {
        var headers = body.OptionalStringMap(Field) ?? new Dictionary<string, string>();
        if (headers.Keys.FirstOrDefault(Upstreams.ExtraHeaderRule.IsRefused) is { } refused)
        {
            throw AdminProblem.BadRequest(
                $"{Field}.{refused} cannot be set: the HTTP client writes it for each request (connection, framing and body headers are not extra headers)", Field);
        }
        return headers.Keys.FirstOrDefault(Upstreams.UpstreamAuthHeader.Carries) is { } auth
            ? throw AdminProblem.BadRequest(
                $"{Field}.{auth} cannot be set: the upstream key goes in api_key, sent in the provider's auth_header ({string.Join(", ", Upstreams.UpstreamAuthHeader.Names)})", Field)
            : headers;
    }

    private static string KeptValue(string name, string mask, IReadOnlyDictionary<string, string>? stored, SecretBox secrets) =>
        stored is not null && stored.TryGetValue(name, out var kept) && SecretMask.Mask(SealedHeaders.OpenValue(kept, secrets)) == mask
            ? kept
            : throw AdminProblem.BadRequest(
                $"{Field}.{name} is a masked value ({mask}) that matches no stored value of that header: send the value itself", Field);
}
