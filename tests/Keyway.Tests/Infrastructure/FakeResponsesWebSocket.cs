using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A fake upstream of the Responses WebSocket mode on 127.0.0.1:0 (<c>GET /v1/responses</c> with an upgrade; base_url
/// <c>{BaseAddress}v1</c>). Each <c>response.create</c> gets <c>response.created</c>, one text delta and
/// <c>response.completed</c> with <see cref="FakeUpstream"/>'s token counts; event shapes from
/// https://platform.openai.com/docs/api-reference/responses-streaming. One whose input is <see cref="EchoKeyInput"/> gets
/// <c>response.created</c> and then an <c>error</c> event echoing the key it was called with, as OpenAI's 401 does; one
/// whose input is <see cref="HoldInput"/> gets <c>response.created</c> only, so the response is still running.
/// </summary>
public sealed class FakeResponsesWebSocket : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeResponsesWebSocket(WebApplication app) => _app = app;

    public const string EchoKeyInput = "echo the key you were given";

    public const string HoldInput = "answer after a long while";

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The text messages the fake received, in order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>The headers of the last upgrade.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; private set; } = new Dictionary<string, string>();

    /// <summary>The Authorization header of the last upgrade.</summary>
    public string? Authorization => Headers.GetValueOrDefault("Authorization");

    /// <summary>
    /// Upgrades with these keys are answered 401 with OpenAI's invalid_api_key body instead of 101, as OpenAI answers a
    /// handshake with a revoked key.
    /// </summary>
    public ConcurrentDictionary<string, bool> RefusedKeys { get; } = new();

    /// <summary>The Authorization headers of every upgrade, refused ones included, in order.</summary>
    public ConcurrentQueue<string> Upgrades { get; } = new();

    public static async Task<FakeResponsesWebSocket> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeResponsesWebSocket(app);
        app.UseWebSockets();
        app.MapGet("/v1/responses", fake.ServeAsync);
        fake.BaseAddress = await LoopbackApp.StartAsync(app);
        return fake;
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Upgrades.Enqueue(Authorization ?? "");
        if (RefusedKeys.ContainsKey(Authorization?.Replace("Bearer ", "", StringComparison.Ordinal) ?? ""))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("""{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                return;
            }
            var text = Encoding.UTF8.GetString(buffer, 0, received.Count);
            Received.Enqueue(text);
            var request = JsonDocument.Parse(text).RootElement;
            var model = request.GetProperty("model").GetString()!;
            var asked = request.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String ? input.GetString() : null;
            string[] frames = asked switch
            {
                EchoKeyInput => [Answer(model)[0], KeyEchoingError()],
                HoldInput => [Answer(model)[0]],
                _ => Answer(model),
            };
            foreach (var frame in frames)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, context.RequestAborted);
            }
        }
    }

    private static string[] Answer(string model) =>
    [
        $$$$"""{"type":"response.created","response":{"id":"resp_ws","object":"response","model":"{{{{model}}}}","status":"in_progress"}}""",
        """{"type":"response.output_text.delta","item_id":"msg_ws","output_index":0,"content_index":0,"delta":"hello"}""",
        $$$$"""{"type":"response.completed","response":{"id":"resp_ws","object":"response","model":"{{{{model}}}}","status":"completed","usage":{"input_tokens":{{{{FakeUpstream.PromptTokens}}}},"input_tokens_details":{"cached_tokens":{{{{FakeUpstream.CachedTokens}}}}},"output_tokens":{{{{FakeUpstream.CompletionTokens}}}},"output_tokens_details":{"reasoning_tokens":{{{{FakeUpstream.ReasoningTokens}}}}},"total_tokens":{{{{FakeUpstream.TotalTokens}}}}}}}""",
    ];

    private string KeyEchoingError()
    {
        var key = Authorization?.Replace("Bearer ", "", StringComparison.Ordinal);
        var error = new JsonObject { ["type"] = "invalid_request_error", ["code"] = "invalid_api_key", ["message"] = $"Incorrect API key provided: {key}" };
        return new JsonObject { ["type"] = "error", ["status"] = 401, ["error"] = error }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
