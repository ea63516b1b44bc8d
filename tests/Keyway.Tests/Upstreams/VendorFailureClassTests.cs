using Keyway.Tests.Protocols;
using Keyway.Upstreams;

namespace Keyway.Tests.Upstreams;

/// <summary>
/// Vendors' own error signals, read from the body whatever the status: a balance or arrears code is the key's quota, a
/// DashScope <c>Throttling.*</c> code a rate limit, and OpenRouter's flagged input the caller's fault. Each fixture under
/// Fixtures/vendors names the vendor page it follows.
/// </summary>
public sealed class VendorFailureClassTests
{
    [Theory]
    [InlineData("glm_1113_balance.json", 429, FailureClass.Quota)]
    [InlineData("minimax_anthropic_insufficient_balance.json", 500, FailureClass.Quota)]
    [InlineData("ark_set_limit_exceeded.json", 429, FailureClass.Quota)]
    [InlineData("dashscope_arrearage.json", 400, FailureClass.Quota)]
    [InlineData("dashscope_throttling_allocation_quota.json", 429, FailureClass.RateLimit)]
    [InlineData("openrouter_moderation.json", 403, FailureClass.CallerFault)]
    public void VendorSignal_DecidesTheClass(string fixture, int status, FailureClass expected) =>
        Assert.Equal(expected, UpstreamFailureClassifier.ClassOf(status, ProtocolFixtures.Json($"vendors/{fixture}")));

    /// <summary>The English quota words stay a 429's hint only: a load balancer's 503 is no empty balance.</summary>
    [Fact]
    public void GenericQuotaWords_OnlyReadOnA429() =>
        Assert.Equal(FailureClass.Transient, UpstreamFailureClassifier.ClassOf(503, "upstream connect error: no healthy load balancer endpoint"u8.ToArray()));
}
