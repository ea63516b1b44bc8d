using System.Text;
using Keyway.Security;

namespace Keyway.Tests.Security;

/// <summary>
/// Which keys a scrubber masks: placeholders such as vLLM's <c>EMPTY</c> upstream key or a <c>dummy</c> left in a
/// client's other key variable are no secret, and masking them would change answers that merely use the word.
/// </summary>
public sealed class SecretScrubberTests
{
    private const string Answer = "{\"content\":\"EMPTY means none: a dummy x, not the key sk-upstream-0123456789 or db_sk_0123456789abcdef\"}";

    [Theory]
    [InlineData("EMPTY", "db_sk_0123456789abcdef", "dummy")]
    [InlineData("sk-upstream-0123456789", "none", "x")]
    [InlineData("sk-upstream-0123456789", "dummy", "db_sk_0123456789abcdef")]
    public void PlaceholderKeys_AreLeftInTheAnswer_RealOnesAreMasked(string upstreamKey, string clientKey, string secondClientKey)
    {
        var scrubber = new SecretScrubber(upstreamKey, clientKey, secondClientKey: secondClientKey);

        var scrubbed = Encoding.UTF8.GetString(scrubber.Scrub(Encoding.UTF8.GetBytes(Answer)));

        var expected = Answer;
        foreach (var key in new[] { upstreamKey, clientKey, secondClientKey }.Where(key => key.Length >= 8))
        {
            expected = expected.Replace(key, SecretMask.Mask(key), StringComparison.Ordinal);
        }
        Assert.Equal(expected, scrubbed);
        Assert.Contains("EMPTY means none: a dummy x", scrubbed, StringComparison.Ordinal);
    }
}
