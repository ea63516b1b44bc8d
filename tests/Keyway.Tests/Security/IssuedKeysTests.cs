using Keyway.Security;

namespace Keyway.Tests.Security;

public sealed class IssuedKeysTests
{
    [Fact]
    public void Generate_Returns49CharUrlSafeKeysWithPrefix()
    {
        var key = IssuedKeys.Generate();

        Assert.StartsWith("db_sk_", key);
        Assert.Equal(49, key.Length);
        Assert.Matches("^db_sk_[A-Za-z0-9_-]{43}$", key);
        Assert.NotEqual(key, IssuedKeys.Generate());
    }

    [Fact]
    public void Hash_IsLowerHexSha256()
    {
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", IssuedKeys.Hash("hello"));
    }

    [Fact]
    public void DisplayPrefix_IsFirst12CharsAndEllipsis()
    {
        Assert.Equal("db_sk_abcdef...", IssuedKeys.DisplayPrefix("db_sk_abcdefghijkl"));
    }

    [Theory]
    [InlineData("sk-1234567890abcd", "sk-…abcd")]
    [InlineData("tvly-abcdefghijkl9876", "tvly-…9876")]
    [InlineData("plainsecretvalue", "pla…alue")]
    public void SecretMask_ShowsHeadAndLastFour(string secret, string expected)
    {
        Assert.Equal(expected, SecretMask.Mask(secret));
    }

    /// <summary>Under 16 characters a head and a tail would be most of the secret, and asterisks as many as its characters its length.</summary>
    [Theory]
    [InlineData("a")]
    [InlineData("short")]
    [InlineData("12345678")]
    [InlineData("abcdefghi")]
    [InlineData("sk-abc123xyz")]
    [InlineData("abcdefghijklmno")]
    public void SecretMask_OfAShortSecret_ShowsNoCharacterOfIt_NorItsLength(string secret)
    {
        var mask = SecretMask.Mask(secret);

        Assert.Equal("********", mask);
        Assert.True(SecretMask.IsMask(mask));
    }
}
