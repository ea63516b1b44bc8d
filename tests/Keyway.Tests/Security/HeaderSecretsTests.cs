using Keyway.Security;

namespace Keyway.Tests.Security;

/// <summary>Which of a provider's extra header values are masked where an upstream echoes them.</summary>
public sealed class HeaderSecretsTests
{
    [Fact]
    public void CredentialNamedValues_AreSecrets_OtherAndShortValuesAreNot()
    {
        var secrets = HeaderSecrets.Of(new Dictionary<string, string>
        {
            ["X-Vendor-Token"] = "vendor-token-123456",
            ["Authorization"] = "Bearer abcdefgh",
            ["api-key"] = "azure-key-0123456789",
            ["X-Session-Id"] = "short",
            ["X-Title"] = "Keyway gateway",
            ["anthropic-beta"] = "prompt-caching-2024-07-31",
        });

        Assert.Equal(["vendor-token-123456", "Bearer abcdefgh", "azure-key-0123456789"], secrets.Values);
    }

    [Fact]
    public void AnEchoedHeaderCredential_IsMasked_AndOnlyIt()
    {
        var scrubber = new SecretScrubber("sk-upstream-0123456789", clientKey: null, HeaderSecrets.Of([new("X-Vendor-Token", "vendor-token-123456")]));

        var scrubbed = System.Text.Encoding.UTF8.GetString(scrubber.Scrub("bad token vendor-token-123456 for Keyway"u8.ToArray()));

        Assert.Equal($"bad token {SecretMask.Mask("vendor-token-123456")} for Keyway", scrubbed);
    }
}
