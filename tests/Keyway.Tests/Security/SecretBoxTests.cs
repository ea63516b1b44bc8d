using Keyway.Security;

namespace Keyway.Tests.Security;

public sealed class SecretBoxTests
{
    [Fact]
    public void Seal_ThenOpen_RoundTripsUtf8()
    {
        var box = new SecretBox("a-secret-of-sufficient-length");
        var sealedValue = box.Seal("sk-ключ-🔑-\"quoted\"");

        Assert.True(box.TryOpen(sealedValue, out var plaintext));
        Assert.Equal("sk-ключ-🔑-\"quoted\"", plaintext);
    }

    [Fact]
    public void Seal_UsesAFreshNonce_SoEqualPlaintextsDiffer()
    {
        var box = new SecretBox("a-secret-of-sufficient-length");

        Assert.NotEqual(box.Seal("same"), box.Seal("same"));
    }

    [Fact]
    public void Open_WithAnotherSecret_Fails()
    {
        var sealedValue = new SecretBox("the-first-secret-xxxxxxxx").Seal("sk-upstream");

        Assert.False(new SecretBox("the-other-secret-yyyyyyyy").TryOpen(sealedValue, out _));
    }

    [Fact]
    public void Open_TamperedValue_Fails()
    {
        var box = new SecretBox("a-secret-of-sufficient-length");
        var sealedValue = box.Seal("sk-upstream");
        var tampered = sealedValue[..^2] + (sealedValue[^2] == 'A' ? "B" : "A") + sealedValue[^1];

        Assert.False(box.TryOpen(tampered, out _));
        Assert.False(box.TryOpen("not-sealed", out _));
    }
}
