using Keyway.Upstreams;

namespace Keyway.Tests.Upstreams;

/// <summary>
/// A provider's extra headers never replace the header carrying the upstream key, whichever of the auth_header names it
/// is: a row stored before the admin API refused such a header (an <c>api-key</c> one) must not override an Azure key.
/// </summary>
public sealed class ExtraHeaderRuleTests
{
    [Theory]
    [InlineData("Authorization")]
    [InlineData("x-api-key")]
    [InlineData("API-Key")]
    public void AnExtraHeaderCarryingAKey_IsSkipped(string name)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [name] = "sk-the-upstream-key" };

        ExtraHeaderRule.Apply([new(name, "sk-stored-extra"), new("OpenAI-Beta", "b")], headers,
            static (set, header) => set.Remove(header), static (set, header, value) => set[header] = value);

        Assert.Equal("sk-the-upstream-key", headers[name]);
        Assert.Equal("b", headers["OpenAI-Beta"]);
    }
}
