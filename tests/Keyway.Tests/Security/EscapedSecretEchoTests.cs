using System.Text;
using System.Text.Json;
using Keyway.Security;

namespace Keyway.Tests.Security;

/// <summary>
/// A secret holding characters JSON writers escape, echoed by an upstream in escaped form (PHP's <c>\/</c>, .NET's
/// <c>\u002B</c>, Go's lowercase <c>\u003c</c>), is masked as its plain echo is; a body without it is not copied.
/// </summary>
public sealed class EscapedSecretEchoTests
{
    private const string Secret = "sk-abc/def+ghi<jkl0123456789";
    private const string LeadingSlash = "/abcdefghij+klmnop";

    public static TheoryData<string, string> Echoes => new()
    {
        { Secret, """sk-abc\/def+ghi<jkl0123456789""" },
        { Secret, """sk-abc/def\u002Bghi\u003Cjkl0123456789""" },
        { Secret, """sk-abc\/def\u002bghi\u003cjkl0123456789""" },
        { LeadingSlash, """\/abcdefghij\u002Bklmnop""" },
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public void AnEscapedEcho_IsMasked_InABodyAndAStreamEvent(string secret, string echo)
    {
        var scrubber = new SecretScrubber(secret, clientKey: null);
        var body = Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"Incorrect API key provided: " + echo + ", and again " + echo + "\"}}");

        Assert.True(scrubber.Finds(body));
        var masked = scrubber.Scrub(body);
        var message = JsonDocument.Parse(masked).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Equal($"Incorrect API key provided: {SecretMask.Mask(secret)}, and again {SecretMask.Mask(secret)}", message);
        Assert.Equal(masked, scrubber.Scrub(new ReadOnlyMemory<byte>(body)).ToArray());
    }

    [Fact]
    public void ABodyWithEscapesButNoSecret_IsReturnedAsItIs()
    {
        var scrubber = new SecretScrubber(Secret, clientKey: null);
        var body = Encoding.UTF8.GetBytes("""{"content":"a\/b \u002B sk-abc\/def+ghi<jkl01234 \n"}""");

        Assert.False(scrubber.Finds(body));
        Assert.Same(body, scrubber.Scrub(body));
    }
}
