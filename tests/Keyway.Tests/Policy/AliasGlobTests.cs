using Keyway.Gateway;

namespace Keyway.Tests.Policy;

public sealed class AliasGlobTests
{
    [Theory]
    [InlineData("gpt-4o", "gpt-4o", true)]
    [InlineData("gpt-4o", "gpt-4o-mini", false)]
    [InlineData("deepseek-*", "deepseek-chat", true)]
    [InlineData("deepseek-*", "deepseek-", true)]
    [InlineData("deepseek-*", "my-deepseek-chat", false)]
    [InlineData("*-mini", "gpt-4o-mini", true)]
    [InlineData("*", "anything/at-all", true)]
    [InlineData("gpt-?o", "gpt-4o", true)]
    [InlineData("gpt-?o", "gpt-40o", false)]
    [InlineData("a*b*c", "a-b-x-c", true)]
    [InlineData("a*b*c", "a-c-b", false)]
    [InlineData("Claude-*", "claude-sonnet", false)]
    public void Matches(string pattern, string alias, bool expected) => Assert.Equal(expected, AliasGlob.Matches(pattern, alias));
}
