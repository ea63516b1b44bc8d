using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Keyway.Configuration;

/// <summary>Puts the configured <see cref="ServerLimits"/> and the body-size limit on Kestrel.</summary>
internal static class KestrelLimits
{
    public static void Apply(KestrelServerLimits limits, KeywayOptions options)
    {
        var configured = options.Limits;
        limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = configured.MaxHeaderBytes;
        limits.RequestHeadersTimeout = configured.HeadersTimeout;
        limits.MaxConcurrentConnections = configured.MaxConnections;
        limits.MaxConcurrentUpgradedConnections = configured.MaxConnections;
        var rate = configured.MinDataRateBytesPerSecond;
        limits.MinRequestBodyDataRate = rate == 0 ? null : new MinDataRate(rate, ServerLimits.DataRateGracePeriod);
        limits.MinResponseDataRate = rate == 0 ? null : new MinDataRate(rate, ServerLimits.DataRateGracePeriod);
    }
}
