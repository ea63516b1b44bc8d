using Keyway.Protocols;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Step 4, once per request: an upstream that refused the request because of its tools is asked again, with the
/// same key, without the tools and schema keywords <see cref="ToolFallback"/> can remove; the log row says what went.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <returns>The plan to send again, or null when the answer stands (not a tool error, nothing to remove, or already retried).</returns>
    private async Task<RelayPlan?> ToolFallbackPlanAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (exchange.ToolFallback is not null || plan.RelayAsIs)
        {
            return null;
        }
        // ClassifyAsync buffered the error body, so it can be read again here and relayed later.
        var error = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!ToolFallback.IsToolError(error) || ToolFallback.Strip(plan.Body.ToArray(), plan.Endpoint.Protocol.Wire()) is not { } stripped)
        {
            return null;
        }
        exchange.ToolFallback = stripped.Removed;
        ToolFallbackLog.Retrying(logger, exchange.Target!.Provider.ProviderId, (int)response.StatusCode, stripped.Removed);
        return plan with { Body = UpstreamBody.Of(stripped.Body) };
    }

    private static partial class ToolFallbackLog
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{ProviderId} refused the tools ({Status}); retrying once without {Removed}")]
        public static partial void Retrying(ILogger logger, string providerId, int status, string removed);
    }
}
