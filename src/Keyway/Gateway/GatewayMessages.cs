namespace Keyway.Gateway;

/// <summary>The data plane's error texts, kept exactly as the Python Keyway wrote them where it had one.</summary>
internal static class GatewayMessages
{
    public const string MissingAuthorization = "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.";
    public const string InvalidKey = "Invalid or disabled API key.";
    public const string ExpiredKey = "API key expired.";
    public const string ConflictingKeys = "Two different API keys: the Authorization and x-api-key headers each carry a Keyway key. "
        + "Send one of them (Claude Code: set ANTHROPIC_AUTH_TOKEN or ANTHROPIC_API_KEY, not both).";
    public const string InvalidJson = "Invalid JSON body";
    public const string NotAnObject = "Body must be a JSON object";
    public static readonly string TooDeep = $"{InvalidJson}: it is nested deeper than {Protocols.RequestBody.MaxDepth} levels";
    public const string MissingModel = "Missing 'model': a string naming one of your route aliases is required.";
    public const string ModelNotAString = "'model' must be a string naming one of your route aliases.";
    public const string RepeatedModel = "'model' appears more than once in the body: give it once, naming one of your route aliases.";

    public const string NotAForm = "Body must be multipart/form-data with a boundary";

    public static string InvalidForm(string reason) => $"Invalid multipart/form-data body: {reason}";

    public static string ModelNotFound(string alias, string groupId) => $"model '{alias}' not found in group '{groupId}'";

    public static string ProtocolMismatch(string alias, string upstreamProtocol, string groupId, string clientProtocol) =>
        $"model '{alias}' is bound to {upstreamProtocol} provider in group '{groupId}', not {clientProtocol}";

    public static string NoUpstreamPath(string alias) => $"route '{alias}' has no upstream_path configured.";

    public static string PathNotServed(string alias, string providerId, string path) =>
        $"model '{alias}' is routed to Anthropic-protocol provider '{providerId}', which does not serve {path} (only messages, count_tokens and models)";

    /// <summary>Claude Code reads the 404 this goes with as "not served here" and makes its own classifier requests.</summary>
    public static string SafeguardsNotServed(string alias) =>
        $"model '{alias}' has no upstream that evaluates safeguards: /v1/messages/evaluate_safeguards is served by Anthropic-protocol providers that have it";

    public static string PathNotAllowed(string alias, string path) => $"model '{alias}' is not allowed on {path}: the route's allowed_paths do not include it";

    /// <summary>OpenAI's own text for a path it does not have.</summary>
    public static string UnknownPath(string method, string path) => $"Invalid URL ({method} {path})";

    /// <summary>A method the path does not serve; <paramref name="allow"/> is the path's Allow header.</summary>
    public static string MethodNotAllowed(string method, string path, string allow) =>
        $"Method Not Allowed ({method} {path}): this path accepts {allow}.";

    /// <summary>OpenAI's words for a path it does not have, and why Keyway has none such.</summary>
    public static string AmbiguousPath(string method, string path) =>
        $"{UnknownPath(method, path)}: Keyway forwards no path with an encoded '/', '\\', '?' or '#', or a '.' or '..' segment, which an upstream could read as another path";

    /// <summary>OpenAI's Retrieve model answer for a model it does not have (or not for this key).</summary>
    public static string ModelDoesNotExist(string model) => $"The model '{model}' does not exist";

    /// <summary>Anthropic's Get a Model answer (<c>not_found_error</c>) for a model it does not have.</summary>
    public static string AnthropicModelNotFound(string model) => $"model: {model}";

    /// <summary>OpenAI's words for a response it has not stored (or not for this key) on GET and DELETE /v1/responses/{id}.</summary>
    public static string ResponseNotFound(string responseId) => $"Response with id '{responseId}' not found.";

    /// <summary>A write without a body names no model, and the body's model is what routes it.</summary>
    public static string NoBody(string method, string path) =>
        $"{method} {path} has no body: Keyway routes a request by its JSON body's 'model', so send one naming one of your route aliases, e.g. {{\"model\":\"<alias>\"}}.";

    /// <summary>OpenAI's words for a <c>previous_response_id</c> it has not stored (or not for this key).</summary>
    public static string PreviousResponseNotFound(string responseId) => $"Previous response with id '{responseId}' not found.";

    public static string ConversationTooLong(int maxTurns) =>
        $"previous_response_id continues a conversation of more than {maxTurns} stored responses: send the full input instead.";

    public static string UnreadableBody(string reason) => $"The request body could not be read: {reason}";

    public static string EncodedBody(string encoding) =>
        $"Content-Encoding '{encoding}' is not supported: send the JSON body uncompressed.";

    public static string BodyTooLarge(long limitBytes) => $"Request body too large: the limit is {limitBytes / (1024 * 1024)} MiB.";

    public static string DrainEnded(TimeSpan window) =>
        $"Keyway is shutting down: its drain window (KEYWAY_DRAIN_SECONDS={(int)window.TotalSeconds}) ended before this answer did; retry the request.";

    public static string AllKeysCooling(string alias) =>
        $"every upstream key for model '{alias}' is cooling down or quarantined; retry after the Retry-After delay";

    public static string AllKeysBusy(string alias) =>
        $"every upstream key for model '{alias}' has all its max_concurrency requests in flight; retry after the Retry-After delay";

    public static string NoKeyServes(string alias) =>
        $"no upstream key for model '{alias}' serves this request: each is limited to other upstream models, to its own base_url (never a native endpoint) or to non-visitor keys";

    public static string NoUsableKey(string providerId) => $"provider '{providerId}' has no enabled upstream API key";

    public static string Unreachable(string providerId, string reason) => $"upstream provider '{providerId}' is unreachable: {reason}";

    public static string Timeout(string providerId, TimeSpan timeout) => $"upstream provider '{providerId}' did not answer within {timeout.TotalSeconds:0} s";

    public static string EmptyStream(string providerId) => $"upstream provider '{providerId}' answered 200 but its stream ended before any answer";

    public static string NotJson(string providerId, string? contentType, string excerpt) =>
        $"upstream provider '{providerId}' answered 200 with a body that is not JSON (Content-Type {contentType ?? "none"}): {excerpt}";

    public static string CutShort(string providerId) =>
        $"upstream provider '{providerId}' answered 200 with a JSON body that ends before it is complete (its Content-Length was shorter than the answer)";

    public static string ErrorWith200(string providerId, string message) => $"upstream provider '{providerId}' answered 200 with an error: {message}";

    public static string NoAnswerInBody(string providerId) => $"upstream provider '{providerId}' answered 200 without an answer in its body";

    /// <summary>
    /// A 200 whose body is no answer: what the body says went wrong (its error object's message, that the answer broke
    /// off), or, when it says nothing, that it holds no answer.
    /// </summary>
    public static string NoAnswerWith200(string providerId, string? error) =>
        error is null ? NoAnswerInBody(providerId) : ErrorWith200(providerId, error);

    public static string ClientStalled(TimeSpan stall) => $"client stopped reading the stream: a write waited {stall.TotalSeconds:0} s for it";

    public static string StreamBroke(string providerId) => $"upstream provider '{providerId}' ended the stream before it was complete";

    public static string TranslationFailed(string providerId, string reason) => $"the answer of upstream provider '{providerId}' could not be translated: {reason}";

    public static string Redirected(string providerId, int status, string? host) =>
        $"upstream provider '{providerId}' answered {status}, a redirect {(host is null ? "without a Location" : "to " + host)}, which Keyway does not follow: check the provider's base_url";

    public static string InterimStatus(string providerId, int status) =>
        $"upstream provider '{providerId}' answered {status}, an interim status where its answer belongs (101: it switched to another protocol, as a WebSocket endpoint does): check the provider's base_url";

    public static string UpstreamFailed(string providerId, int status, string message) => $"upstream provider '{providerId}' returned {status}: {message}";

    /// <summary>An error status whose body broke off or stalled: what arrived of it, said to be only that.</summary>
    public static string UpstreamFailedCutOff(string providerId, int status, string message) => message.Length == 0
        ? $"upstream provider '{providerId}' returned {status}, its body cut off before any of it arrived"
        : $"upstream provider '{providerId}' returned {status}, its body cut off: {message}";
}
