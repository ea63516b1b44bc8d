using Keyway.Configuration;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Configuration;

/// <summary>.env values and their comments, as python-dotenv reads them (src/dotenv/parser.py).</summary>
public sealed class EnvFileTests
{
    [Theory]
    [InlineData("KEYWAY_ADMIN_TOKEN=abc # my token", "abc")]
    [InlineData("KEYWAY_ADMIN_TOKEN=abc\t# my token", "abc")]
    [InlineData("KEYWAY_ADMIN_TOKEN=abc   ", "abc")]
    [InlineData("KEYWAY_ADMIN_TOKEN=abc#not-a-comment", "abc#not-a-comment")]
    [InlineData("KEYWAY_ADMIN_TOKEN=#abc", "#abc")]
    [InlineData("KEYWAY_ADMIN_TOKEN=  # only a comment", "")]
    [InlineData("KEYWAY_ADMIN_TOKEN = a b # c # d", "a b")]
    [InlineData("KEYWAY_ADMIN_TOKEN=\"abc # kept\" # comment", "abc # kept")]
    [InlineData("KEYWAY_ADMIN_TOKEN='abc # kept'# comment", "abc # kept")]
    [InlineData("KEYWAY_ADMIN_TOKEN=\"say \\\"hi\\\" # kept\"  ", "say \\\"hi\\\" # kept")]
    [InlineData("export KEYWAY_ADMIN_TOKEN=\"\" # empty on purpose", "")]
    [InlineData("KEYWAY_ADMIN_TOKEN=\"abc\"def", "\"abc\"def")]
    [InlineData("KEYWAY_ADMIN_TOKEN=\"unclosed # comment", "\"unclosed")]
    public void Value_LeavesOutItsComment_ButNotAHashInQuotesOrInAWord(string line, string expected)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, ".env");
        File.WriteAllText(path, $"# a comment line\n{line}\n");

        var value = Assert.Single(EnvFile.Read(path));

        Assert.Equal(("KEYWAY_ADMIN_TOKEN", expected), (value.Key, value.Value));
    }
}
