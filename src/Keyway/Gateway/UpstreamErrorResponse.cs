using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols;
using Keyway.Security;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// An upstream's error answer, relayed with the upstream's status (Keyway once turned everything
/// into 502) in the caller's protocol. When the upstream already speaks the caller's error shape,
/// its type/code/param are kept (SDKs and Codex read `code`); only the message gains the provider's
/// name. Neither the upstream key nor the client's appears: any echo of them is masked. An upstream refusing the
/// gateway's own credentials (401, 403: its key wrong, revoked, not allowed there) is no fault of the client's: its
/// status and `authentication_error`/`invalid_api_key` would tell the SDKs, Claude Code and Codex that the client's
/// key is bad and send the user to log in again, so it is a 502 in the caller's shape, its message saying which
/// provider refused and why; but a 403 saying the caller's input was flagged (OpenRouter's moderation) is the caller's,
/// relayed as it is to an OpenAI client and as a 400 to an Anthropic one. A context overflow, in whatever vendor's words,
/// reaches an Anthropic client as "prompt is too long: …" and an OpenAI one with the code <c>context_length_exceeded</c>,
/// which Claude Code and Codex compact on. A redirect (3xx: Keyway follows none, since the key would go along to wherever it points)
/// is no answer the client could use either: a 502 naming it, its status and the host it points to (never its whole
/// Location, whose query may hold a signature). A final 1xx is a 502 naming it too.
/// </summary>
internal static class UpstreamErrorResponse
{
    // Readable UTF-8 and quotes, as the upstream wrote them; the body is JSON, never HTML.
    private static readonly JsonWriterOptions RelaxedWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record Relayed(int Status, byte[] Body, string Message);

    public static async Task<Relayed> BuildAsync(HttpResponseMessage response, ClientProtocol client, UpstreamProvider provider, SecretScrubber secrets, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (IsRedirect(status))
        {
            var redirect = GatewayMessages.Redirected(provider.ProviderId, status, RedirectHost(response));
            return new Relayed(StatusCodes.Status502BadGateway, ProtocolErrorWriter.Body(client, StatusCodes.Status502BadGateway, redirect), redirect);
        }
        if (status < StatusCodes.Status200OK)
        {
            var interim = GatewayMessages.InterimStatus(provider.ProviderId, status);
            return new Relayed(StatusCodes.Status502BadGateway, ProtocolErrorWriter.Body(client, StatusCodes.Status502BadGateway, interim), interim);
        }
        var raw = secrets.Scrub((await UpstreamErrorBody.ReadAsync(response, cancellationToken)).Body);
        var message = GatewayMessages.UpstreamFailed(provider.ProviderId, status, UpstreamErrorMessage.Extract(raw, 1000));
        var flagged = status == StatusCodes.Status403Forbidden && UpstreamFailureClassifier.ClassOf(status, raw) == FailureClass.CallerFault;
        if (status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden && !flagged)
        {
            return new Relayed(StatusCodes.Status502BadGateway, ProtocolErrorWriter.Body(client, StatusCodes.Status502BadGateway, message), message);
        }
        var root = TryParseErrorBody(raw);
        var error = root?["error"];
        var isAnthropicShape = root is not null && root["type"] is JsonValue type && type.ToString() == "error";
        var code = isAnthropicShape ? null : StringOf(error?["code"]);
        if (client == ClientProtocol.AnthropicMessages)
        {
            var anthropicMessage = ProtocolErrors.AnthropicMessageFromOpenAI(code, message);
            if (isAnthropicShape && !flagged)
            {
                return new Relayed(status, RewriteMessage(root!, anthropicMessage), message);
            }
            // Claude Code reads any 403 as its own login refused ("Please run /login"): a flagged input is the request's fault, a 400.
            var anthropicStatus = flagged ? StatusCodes.Status400BadRequest : status;
            return new Relayed(anthropicStatus, ProtocolErrors.AnthropicError(ProtocolErrors.AnthropicErrorType(anthropicStatus), anthropicMessage), message);
        }
        // Both shapes have an `error` object; only Anthropic's also says `"type":"error"` at the top. OpenAI's is kept
        // whole (its type, param and code, which SDKs and Codex read), an overflow's code made OpenAI's.
        if (root is not null && !isAnthropicShape)
        {
            if (ProtocolErrors.OpenAICode(code, message) is { } openAICode && openAICode != code)
            {
                error!["code"] = openAICode;
            }
            return new Relayed(status, RewriteMessage(root, message), message);
        }
        return new Relayed(status, OpenAIError(isAnthropicShape ? StringOf(error!["type"]) : null, status, isAnthropicShape ? StringOf(error!["message"]) : null, message), message);
    }

    public static bool IsRedirect(int status) => status is >= 300 and < 400;

    /// <summary>
    /// A status no client gets as it is, even where errors are relayed untouched: a redirect, or a final 1xx (a 101 to a
    /// POST, from a WebSocket endpoint behind a wrong base URL), which is no answer, and which Kestrel cannot send with a body.
    /// </summary>
    public static bool IsNeverRelayed(int status) => status < StatusCodes.Status200OK || IsRedirect(status);

    /// <summary>The host (and a port other than the scheme's) the redirect points to; a relative Location is the upstream's own.</summary>
    private static string? RedirectHost(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null
        : location.IsAbsoluteUri ? location.Authority
        : response.RequestMessage?.RequestUri is { } requested ? requested.Authority
        : null;

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The body when it is a JSON object with an <c>error</c> object, as both protocols' errors are.</summary>
    private static JsonObject? TryParseErrorBody(byte[] raw)
    {
        try
        {
            return JsonNode.Parse(raw) is JsonObject root && root["error"] is JsonObject ? root : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] RewriteMessage(JsonObject root, string message)
    {
        root["error"]!["message"] = message;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriter))
        {
            root.WriteTo(writer);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// An OpenAI body for an error in another shape: an Anthropic upstream's error type becomes the matching OpenAI
    /// type and code (an OpenAI client on an Anthropic route would otherwise get Anthropic's envelope); anything
    /// else is typed by its status.
    /// </summary>
    private static byte[] OpenAIError(string? anthropicType, int status, string? anthropicMessage, string message)
    {
        var (type, code) = ProtocolErrors.OpenAIErrorFromAnthropic(anthropicType, status, anthropicMessage);
        return ProtocolErrors.OpenAIError(message, type, ProtocolErrors.OpenAICode(code, message));
    }
}
