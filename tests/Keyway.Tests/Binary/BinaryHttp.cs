using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Keyway.Tests.Binary;

/// <summary>Raw HTTP against the separately running executable: JSON calls and SSE bodies read to their end.</summary>
internal static class BinaryHttp
{
    public sealed record Reply(HttpStatusCode Status, string Body, HttpResponseMessage Response)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

        /// <summary>The JSON payloads of the SSE <c>data:</c> lines, without the OpenAI <c>[DONE]</c> marker.</summary>
        public IReadOnlyList<JsonElement> Events => Body.Split('\n')
            .Where(line => line.StartsWith("data: ", StringComparison.Ordinal) && line != "data: [DONE]")
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone())
            .ToList();
    }

    public static async Task<Reply> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await client.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public static Task<Reply> PostAsync(HttpClient client, string path, string json, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Post, path, json, headers);

    public static Task<Reply> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Get, path, json: null, headers);

    /// <summary>200 and the JSON body, or a failed assertion that shows the body.</summary>
    public static JsonElement Ok(Reply reply)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, $"{(int)reply.Status}: {reply.Body}");
        return reply.Json;
    }

    public static HttpClient WithBearer(Uri baseAddress, string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static HttpClient WithAdminToken(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add("X-Admin-Token", KeywayBinary.AdminToken);
        return client;
    }

    /// <summary>
    /// Logs in with the admin token (POST /admin/login) and returns a client that carries the session cookie and, like
    /// the admin UI's own pages in a browser, this server's Origin (cookie-authenticated writes require it).
    /// </summary>
    public static async Task<HttpClient> LoginAsync(Uri baseAddress)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add("Origin", baseAddress.GetLeftPart(UriPartial.Authority));
        Ok(await PostAsync(client, "admin/login", $$"""{"token":"{{KeywayBinary.AdminToken}}"}"""));
        return client;
    }
}
