using System.Text;
using Keyway.Protocols;

namespace Keyway.Tests.Protocols;

public sealed class UpstreamErrorMessageTests
{
    [Theory]
    [InlineData("{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", "Incorrect API key provided")]
    [InlineData("{\"error\":\"model overloaded\"}", "model overloaded")]
    [InlineData("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-x\"},\"request_id\":\"req_1\"}", "model: claude-x")]
    [InlineData("{\"error\":{\"type\":\"overloaded_error\"}}", "overloaded_error")]
    [InlineData("{\"detail\":\"Not Found\"}", "Not Found")]
    [InlineData("{\"detail\":[{\"loc\":[\"body\",\"model\"],\"msg\":\"field required\"}]}", "[{\"loc\":[\"body\",\"model\"],\"msg\":\"field required\"}]")]
    [InlineData("{\"message\":\"Über das Limit — \\\"quota\\\"\"}", "Über das Limit — \"quota\"")]
    [InlineData("{\"code\":1,\"msg\":\"bad key\"}", "bad key")]
    [InlineData("  <html>502 Bad Gateway</html>\n", "<html>502 Bad Gateway</html>")]
    [InlineData("{\"unrelated\":true}", "{\"unrelated\":true}")]
    [InlineData("", "")]
    public void Extract_FindsTheHumanMessage(string body, string expected)
    {
        Assert.Equal(expected, UpstreamErrorMessage.Extract(Encoding.UTF8.GetBytes(body), 500));
    }

    [Fact]
    public void Extract_TruncatesToMaxChars_WithoutSplittingASurrogatePair()
    {
        var body = Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"abc😀def\"}}");

        Assert.Equal("abc…", UpstreamErrorMessage.Extract(body, 5));
        Assert.Equal("ab…", UpstreamErrorMessage.Extract(body, 3));
        Assert.Equal("abc😀def", UpstreamErrorMessage.Extract(body, 8));
        Assert.Equal("", UpstreamErrorMessage.Extract(body, 0));
    }

    [Fact]
    public void Extract_OnInvalidUtf8_DoesNotThrow()
    {
        byte[] body = [0xFF, 0xFE, (byte)'o', (byte)'k'];

        Assert.EndsWith("ok", UpstreamErrorMessage.Extract(body, 100), StringComparison.Ordinal);
    }
}
