using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// The admin API as JSON documents: commands send <see cref="JsonObject"/> bodies and read <see cref="JsonNode"/> answers,
/// so no admin type is declared twice. A refusal becomes a <see cref="CliException"/> whose message is the server's "detail".
/// </summary>
public sealed class AdminClient(AdminConnection connection) : IDisposable
{
    private readonly HttpClient _http = CreateHttp(connection);

    public Uri BaseUrl => connection.BaseUrl;

    public bool HasToken => connection.Token is not null;

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode> PostAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body, cancellationToken);

    public Task<JsonNode> PatchAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Patch, path, body, cancellationToken);

    public Task<JsonNode> PutAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, cancellationToken);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            var hint = connection.Named ? "check the address given with --url or KEYWAY_URL" : "start one with `keyway serve`";
            throw new CliException($"no Keyway gateway answers at {connection.BaseUrl} ({e.Message}); {hint}", CliExitCodes.Unreachable);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var document = ParseOrNull(text);
            if (!response.IsSuccessStatusCode)
            {
                // The gateway's own words are the message; the request is named only when it gave none (a proxy's page, an empty 404).
                var message = (document as JsonObject)?["detail"]?.GetValue<string>() is { Length: > 0 } detail
                    ? detail
                    : $"{method} /{path.TrimStart('/')} → {(int)response.StatusCode}: {(text.Length > 0 ? text : response.ReasonPhrase)}";
                throw new CliException(message) { Status = response.StatusCode };
            }
            return document ?? throw new CliException($"{method} /{path.TrimStart('/')} answered something that is not JSON");
        }
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HttpClient CreateHttp(AdminConnection connection)
    {
        var http = new HttpClient { BaseAddress = connection.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        if (connection.Token is not null)
        {
            http.DefaultRequestHeaders.Add("X-Admin-Token", connection.Token);
        }
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    public void Dispose() => _http.Dispose();
}
