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
/// name. Neither the upstream key nor the client's appears: any echo of them is masked.
/// </summary>
internal static class UpstreamErrorResponse
{
    private const int MaxBodyBytes = 64 * 1024;

    // Readable UTF-8 and quotes, as the upstream wrote them; the body is JSON, never HTML.
    private static readonly JsonWriterOptions RelaxedWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record Relayed(byte[] Body, string Message);

    public static async Task<Relayed> BuildAsync(HttpResponseMessage response, ClientProtocol client, UpstreamProvider provider, SecretScrubber secrets, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var raw = secrets.Scrub(await ReadLimitedAsync(response, cancellationToken));
        var message = GatewayMessages.UpstreamFailed(provider.ProviderId, status, UpstreamErrorMessage.Extract(raw, 1000));
        var body = TryRewriteSameShape(raw, client, message)
            ?? (client == ClientProtocol.AnthropicMessages
                ? ProtocolErrors.AnthropicError(ProtocolErrors.AnthropicErrorType(status), message)
                : ProtocolErrors.OpenAIError(message, ProtocolErrors.OpenAIErrorType(status), null));
        return new Relayed(body, message);
    }

    private static byte[]? TryRewriteSameShape(byte[] raw, ClientProtocol client, string message)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            return null;
        }
        var isCallerShape = root is JsonObject obj && obj["error"] is JsonObject
            && (client != ClientProtocol.AnthropicMessages || (obj["type"] is JsonValue type && type.ToString() == "error"));
        if (!isCallerShape)
        {
            return null;
        }
        root!["error"]!["message"] = message;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriter))
        {
            root.WriteTo(writer);
        }
        return buffer.ToArray();
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }
        return buffer[..total];
    }
}
