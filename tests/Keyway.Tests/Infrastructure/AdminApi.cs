using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>Raw-HTTP helpers for the admin API, shared by every test that needs groups, providers, routes or keys.</summary>
public static class AdminApi
{
    public const string DefaultUpstreamKey = "sk-test-upstream-0123456789abcdef";

    public sealed record Reply(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response);

    public static async Task<Reply> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            var json = body switch { string raw => raw, JsonNode node => node.ToJsonString(), _ => JsonSerializer.Serialize(body) };
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var element = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Reply(response.StatusCode, element, response);
    }

    public static Task<Reply> GetAsync(HttpClient client, string path) => SendAsync(client, HttpMethod.Get, path);

    public static Task<Reply> PostAsync(HttpClient client, string path, object body) => SendAsync(client, HttpMethod.Post, path, body);

    public static Task<Reply> PatchAsync(HttpClient client, string path, object body) => SendAsync(client, HttpMethod.Patch, path, body);

    public static Task<Reply> DeleteAsync(HttpClient client, string path) => SendAsync(client, HttpMethod.Delete, path);

    /// <summary>Sends and asserts 200 with "ok": true; returns the body.</summary>
    public static async Task<JsonElement> OkAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        var reply = await SendAsync(client, method, path, body);
        Assert.True(reply.Status == HttpStatusCode.OK, $"{method} {path} → {(int)reply.Status}: {reply.Body}");
        Assert.True(reply.Body.GetProperty("ok").GetBoolean());
        return reply.Body;
    }

    /// <summary>
    /// The request log's newest rows (up to 500, filtered by <paramref name="query"/>) once it holds
    /// <paramref name="count"/>: rows are written in the background, and a loaded CI machine may take seconds.
    /// </summary>
    public static async Task<JsonElement[]> WaitForLogsAsync(HttpClient admin, int count, string query = "")
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var reply = await GetAsync(admin, $"admin/llm/logs?limit=500{query}");
            var logs = reply.Body.GetProperty("logs").EnumerateArray().ToArray();
            if (logs.Length >= count)
            {
                return logs;
            }
            await Task.Delay(50, deadline.Token);
        }
    }

    public static Task<JsonElement> CreateGroupAsync(HttpClient admin, string groupId, string? name = null) =>
        OkAsync(admin, HttpMethod.Post, "admin/llm/groups", new JsonObject { ["group_id"] = groupId, ["name"] = name ?? groupId });

    public static Task<JsonElement> CreateProviderAsync(
        HttpClient admin, string groupId, string providerId, string baseUrl, string protocol = "openai", string apiKey = DefaultUpstreamKey) =>
        OkAsync(admin, HttpMethod.Post, $"admin/llm/groups/{groupId}/providers", new JsonObject
        {
            ["provider_id"] = providerId,
            ["name"] = providerId,
            ["base_url"] = baseUrl,
            ["protocol"] = protocol,
            ["api_key"] = apiKey,
        });

    /// <returns>The new route_id.</returns>
    public static async Task<string> CreateRouteAsync(
        HttpClient admin, string groupId, string alias, string providerId, string upstreamModel, string? upstreamPath = null)
    {
        var body = new JsonObject { ["alias"] = alias, ["provider_id"] = providerId, ["upstream_model"] = upstreamModel };
        if (upstreamPath is not null)
        {
            body["upstream_path"] = upstreamPath;
        }
        var reply = await OkAsync(admin, HttpMethod.Post, $"admin/llm/groups/{groupId}/routes", body);
        return reply.GetProperty("route").GetProperty("route_id").GetString()!;
    }

    /// <returns>The plaintext db_sk_ key.</returns>
    public static async Task<string> CreateKeyAsync(HttpClient admin, string groupId, string name = "test key")
    {
        var reply = await OkAsync(admin, HttpMethod.Post, $"admin/llm/groups/{groupId}/keys", new JsonObject { ["name"] = name });
        return reply.GetProperty("plaintext").GetString()!;
    }

    public static void AssertError(Reply reply, HttpStatusCode status, string detail, string? field = null)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal(detail, reply.Body.GetProperty("detail").GetString());
        if (field is not null)
        {
            Assert.Equal(field, reply.Body.GetProperty("field").GetString());
        }
    }
}
