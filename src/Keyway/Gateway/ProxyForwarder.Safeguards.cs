namespace Keyway.Gateway;

/// <summary>
/// POST /v1/messages/evaluate_safeguards: Claude Code (2.1.337 and later, in auto mode) asks the API to run its safeguards
/// (the <c>dangerous_tool_use</c> classifier) on work it is about to do, and reads <c>safeguard_results</c> from the
/// answer. Only Anthropic's API evaluates them, so only an Anthropic-protocol target is asked.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>
    /// The body (model rewritten, every other field as sent) to an Anthropic-protocol target; a route without one, or an
    /// upstream that does not serve the path (404, 405), is Anthropic's 404. Claude Code reads a 404 as "not served here"
    /// and makes its own classifier requests instead; any other error would read as the server refusing the check.
    /// </summary>
    public Task EvaluateSafeguardsAsync(HttpContext context) => RunAsync(context, ClientProtocol.AnthropicMessages, async (exchange, request) =>
    {
        static Task NotServedAsync(ProxyExchange unserved) =>
            RejectAsync(unserved, StatusCodes.Status404NotFound, GatewayMessages.SafeguardsNotServed(unserved.Route!.Alias));
        if (!await SendAndRelayAsync(exchange, target => AnthropicOnlyPlan(target, request, "v1/messages/evaluate_safeguards", NotServedAsync)))
        {
            await NotServedAsync(exchange);
        }
    });
}
