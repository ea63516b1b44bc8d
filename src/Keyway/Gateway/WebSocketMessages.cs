namespace Keyway.Gateway;

/// <summary>
/// The refusals of GET /v1/responses; those before the upgrade tell the client to fall back to HTTP streaming, those
/// after it travel in an <c>error</c> event.
/// </summary>
internal static class WebSocketMessages
{
    public const string UpgradeRequired =
        "GET /v1/responses is the Responses WebSocket mode: send a WebSocket upgrade, or POST /v1/responses for HTTP.";

    public const string FirstFrameModelRequired =
        "the first message of a Responses WebSocket must be a JSON response.create event naming the model alias";

    /// <summary>The close reason after an <c>error</c> event (a close reason is limited to 123 bytes).</summary>
    public const string RefusedClose = "refused: see the error event";

    /// <summary>The close reason of a socket the drain window's end closes with no response running.</summary>
    public const string ShuttingDownClose = "Keyway is shutting down; reconnect to another instance or later";

    /// <summary>The close reason of a socket closed for being idle (see <see cref="WebSocketWatchdog"/>).</summary>
    public static string IdleClose(TimeSpan idleTimeout) =>
        $"idle for {KeyPolicyMessages.Seconds(idleTimeout)} s with no response running; reconnect for the next response";

    public static string TooManySockets(int max) =>
        $"this API key already holds {max} open Responses WebSockets on this gateway (KEYWAY_WEBSOCKETS_PER_KEY); close one, or use POST /v1/responses (HTTP streaming)";

    /// <summary>The log row's error of a response the socket ended before the upstream did.</summary>
    public const string EndedBeforeResponse = "the WebSocket closed before the response ended";

    public static string NoWebSocketRoute(string groupId) =>
        $"no model of group '{groupId}' has a provider that serves WebSocket Responses; use POST /v1/responses (HTTP streaming)";

    public static string NotServed(string alias) =>
        $"model '{alias}' has no provider that serves WebSocket Responses; use POST /v1/responses (HTTP streaming)";

    public static string UpstreamRefused(string providerId, string reason) =>
        $"upstream provider '{providerId}' refused the WebSocket: {reason}; use POST /v1/responses (HTTP streaming)";

    public static string OtherAlias(string bound, string asked) =>
        $"this WebSocket is bound to model '{bound}' by its first request; open another WebSocket for model '{asked}' (event not forwarded)";
}
