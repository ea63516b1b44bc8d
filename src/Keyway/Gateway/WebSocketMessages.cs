namespace Keyway.Gateway;

/// <summary>The refusals of GET /v1/responses; each tells the client to fall back to HTTP streaming.</summary>
internal static class WebSocketMessages
{
    public const string UpgradeRequired =
        "GET /v1/responses is the Responses WebSocket mode: send a WebSocket upgrade, or POST /v1/responses for HTTP.";

    public const string ModelRequired =
        "Name the model alias in the query, GET /v1/responses?model=<alias>, or use POST /v1/responses (HTTP streaming).";

    public static string NotServed(string alias) =>
        $"model '{alias}' has no provider that serves WebSocket Responses; use POST /v1/responses (HTTP streaming)";

    public static string UpstreamRefused(string providerId, string reason) =>
        $"upstream provider '{providerId}' refused the WebSocket: {reason}; use POST /v1/responses (HTTP streaming)";
}
