using Keyway.Protocols;

namespace Keyway.Tests.Protocols;

/// <summary>
/// MiniMax's status in a 200's <c>base_resp</c> (https://platform.minimax.io/docs/api-reference/errorcode): a failure only
/// when its code is not 0 and no choice came; a successful answer carries <c>"base_resp":{"status_code":0,…}</c> too.
/// </summary>
public sealed class VendorStatusInBodyTests
{
    [Theory]
    [InlineData("""{"base_resp":{"status_code":2049,"status_msg":"invalid api key"}}""", 2049L, "invalid api key")]
    [InlineData("""{"id":"1","choices":null,"base_resp":{"status_msg":"insufficient balance","status_code":1008}}""", 1008L, "insufficient balance")]
    [InlineData("""{"choices":[],"base_resp":{"status_code":1024}}""", 1024L, null)]
    public void NonZeroCodeWithoutAChoice_IsAFailure(string body, long code, string? message) =>
        Assert.Equal(new VendorStatusInBody.Failure(code, message), VendorStatusInBody.FailureIn(System.Text.Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("""{"id":"1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}],"base_resp":{"status_code":0,"status_msg":""}}""")]
    [InlineData("""{"choices":[{"index":0,"message":{"content":"x"}}],"base_resp":{"status_code":1027,"status_msg":"output new_sensitive"}}""")]
    [InlineData("""{"choices":[{"index":0,"message":{"content":"{\"base_resp\":{\"status_code\":1008}}"}}]}""")]
    [InlineData("""{"base_resp":{"status_code":"1008"}}""")]
    [InlineData("""{"data":{"base_resp":{"status_code":1008}}}""")]
    [InlineData("""{"base_resp":{"status_code":1008}""")]
    public void AnswersAndOtherShapes_AreNoFailure(string body) =>
        Assert.Null(VendorStatusInBody.FailureIn(System.Text.Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData(1002L, VendorErrorKind.RateLimit)]
    [InlineData(1004L, VendorErrorKind.Credential)]
    [InlineData(2049L, VendorErrorKind.Credential)]
    [InlineData(1008L, VendorErrorKind.Quota)]
    [InlineData(1000L, VendorErrorKind.None)]
    public void MiniMaxCodes_NameTheirKind(long code, VendorErrorKind kind) =>
        Assert.Equal(kind, VendorErrorSignals.KindOfStatusInBody(code));
}
