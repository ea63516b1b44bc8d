using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Keyway.Tests.Infrastructure;

/// <summary>A client of Keyway's Responses WebSocket mode: connect with an issued key, send events, read the answers.</summary>
public static class ResponsesWebSocketClient
{
    public static async Task<ClientWebSocket> ConnectAsync(KeywayServer server, string alias, string key, params (string Name, string Value)[] headers)
    {
        var socket = Create(key, headers);
        try
        {
            await socket.ConnectAsync(UpgradeUri(server, alias), CancellationToken.None);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An upgrade the gateway must refuse: the status and headers of its HTTP answer.</summary>
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>> Headers)> RefusedUpgradeAsync(
        KeywayServer server, string alias, string key)
    {
        using var socket = Create(key, []);
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(UpgradeUri(server, alias), CancellationToken.None));
        return (socket.HttpStatusCode, socket.HttpResponseHeaders!);
    }

    private static ClientWebSocket Create(string key, (string Name, string Value)[] headers)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        foreach (var (name, value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }
        return socket;
    }

    private static Uri UpgradeUri(KeywayServer server, string alias) =>
        new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = "/v1/responses", Query = alias.Length > 0 ? "model=" + alias : "" }.Uri;

    public static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message, which must be an error event of the Responses WebSocket mode.</summary>
    public static async Task<JsonElement> ReceiveErrorAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var root = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
        Assert.Equal("error", root.GetProperty("type").GetString());
        return root;
    }

    /// <summary>Sends one response.create and returns the event types up to response.completed.</summary>
    public static async Task<List<string>> ExchangeAsync(ClientWebSocket socket, string alias)
    {
        await SendAsync(socket, $$"""{"type":"response.create","model":"{{alias}}","input":"hi"}""");
        return await ReceiveUntilCompletedAsync(socket);
    }

    /// <summary>The event types of the answer being received, up to response.completed.</summary>
    public static async Task<List<string>> ReceiveUntilCompletedAsync(ClientWebSocket socket)
    {
        var types = new List<string>();
        var buffer = new byte[64 * 1024];
        while (types.LastOrDefault() != "response.completed")
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            types.Add(JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement.GetProperty("type").GetString()!);
        }
        return types;
    }
}
