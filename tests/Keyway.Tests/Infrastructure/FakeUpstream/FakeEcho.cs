using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Any other path (e.g. a provider-specific <c>upstream_path</c> that <c>/v1/generations</c> forwards to):
/// 200 with <c>{"path":"/…?query","received_model":…}</c> so tests see where the call landed and what model it named.
/// </summary>
internal static class FakeEcho
{
    public static Task RespondAsync(FakeExchange exchange) => exchange.WriteJsonAsync(new JsonObject
    {
        ["path"] = exchange.Request.Path,
        ["received_model"] = exchange.Request.Model,
    });
}
