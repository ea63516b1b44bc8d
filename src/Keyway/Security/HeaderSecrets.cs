using System.Text;

namespace Keyway.Security;

/// <summary>
/// The values of a provider's extra headers that carry a credential (a name like <c>X-Vendor-Token</c>,
/// <c>Authorization</c>, <c>api-key</c>), found and encoded once when the routing table is built, for
/// <see cref="SecretScrubber"/> to mask wherever an upstream echoes them, as it masks the upstream key. Other headers'
/// values (<c>X-Title</c>, <c>anthropic-beta</c>) and values too short to be a credential are left alone: masking them
/// would change answers that merely contain the same words.
/// </summary>
public sealed class HeaderSecrets
{
    private static readonly string[] CredentialNameParts = ["auth", "key", "token", "secret", "cookie", "signature", "password", "credential", "session"];

    private HeaderSecrets(string[] values) =>
        (Values, Utf8, Escaped) = (values, [.. values.Select(Encoding.UTF8.GetBytes)], [.. values.Select(EscapedSecret.Of).OfType<EscapedSecret>()]);

    public static HeaderSecrets None { get; } = new([]);

    public string[] Values { get; }

    public byte[][] Utf8 { get; }

    /// <summary>The values JSON may echo escaped, looked for as such (<see cref="EscapedSecret"/>).</summary>
    internal EscapedSecret[] Escaped { get; }

    public static HeaderSecrets Of(IEnumerable<KeyValuePair<string, string>> headers)
    {
        string[] values = [.. headers.Where(header => IsCredential(header.Key, header.Value)).Select(header => header.Value).Distinct(StringComparer.Ordinal)];
        return values.Length == 0 ? None : new HeaderSecrets(values);
    }

    private static bool IsCredential(string name, string value) =>
        value.Length >= SecretScrubber.MinSecretLength && CredentialNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));
}
