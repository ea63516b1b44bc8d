using Keyway.Gateway;

namespace Keyway.Tests.Gateway;

public sealed class ResponseIdsTests
{
    [Fact]
    public void AnId_IsThePrefixAnd32LowercaseHexDigits()
    {
        var id = ResponseIds.New("msg_");

        Assert.Matches("^msg_[0-9a-f]{32}$", id);
    }

    [Fact]
    public void Ids_AreDistinct_AcrossRefillsOfTheRandomBlock()
    {
        var ids = Enumerable.Range(0, 2_000).Select(_ => ResponseIds.New("chatcmpl-")).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.DoesNotContain("chatcmpl-00000000000000000000000000000000", ids);
    }
}
