using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Keyway.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Keyway plus a fake upstream, wired through the admin API: an OpenAI-protocol provider with alias
/// <see cref="OpenAIAlias"/> and an Anthropic-protocol provider with alias <see cref="AnthropicAlias"/>
/// in the default group, and one issued key for it.
/// </summary>
public sealed class GatewayTestBed : IAsyncDisposable
{
    public const string OpenAIAlias = "gpt-alias";
    public const string OpenAIModel = "gpt-upstream-model";
    public const string AnthropicAlias = "claude-alias";
    public const string AnthropicModel = "claude-upstream-model";
    public const string OpenAIProvider = "fake-openai";
    public const string AnthropicProvider = "fake-anthropic";

    /// <summary>A minimal Chat Completions body for <see cref="OpenAIAlias"/>.</summary>
    public const string OpenAIChat = $$"""{"model":"{{OpenAIAlias}}","messages":[{"role":"user","content":"hi"}]}""";

    private readonly TempDirectory _dataDir;

    private GatewayTestBed(TempDirectory dataDir, FakeUpstream upstream, KeywayServer server, string key)
    {
        _dataDir = dataDir;
        Upstream = upstream;
        Server = server;
        Key = key;
        Client = server.ClientWithKey(key);
    }

    public FakeUpstream Upstream { get; }
    public KeywayServer Server { get; }
    public HttpClient Admin => Server.Admin;

    /// <summary>The issued db_sk_ key of the default group.</summary>
    public string Key { get; }

    /// <summary>An HttpClient that sends <see cref="Key"/> as a Bearer token.</summary>
    public HttpClient Client { get; }

    public Uri OpenAIBaseUrl => new(Server.BaseAddress, "v1/");

    public static async Task<GatewayTestBed> StartAsync(
        Func<KeywayOptions, KeywayOptions>? configure = null, Action<IServiceCollection>? replaceServices = null)
    {
        var dataDir = new TempDirectory();
        var upstream = await FakeUpstream.StartAsync();
        var server = await KeywayServer.StartAsync(dataDir.Path, configure, replaceServices);
        await AdminApi.CreateProviderAsync(server.Admin, "default", OpenAIProvider, new Uri(upstream.BaseAddress, "v1").ToString(), "openai");
        await AdminApi.CreateProviderAsync(server.Admin, "default", AnthropicProvider, upstream.BaseAddress.ToString(), "anthropic");
        await AdminApi.CreateRouteAsync(server.Admin, "default", OpenAIAlias, OpenAIProvider, OpenAIModel);
        await AdminApi.CreateRouteAsync(server.Admin, "default", AnthropicAlias, AnthropicProvider, AnthropicModel);
        var key = await AdminApi.CreateKeyAsync(server.Admin, "default");
        return new GatewayTestBed(dataDir, upstream, server, key);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>POSTs raw JSON with the issued key, plus any extra headers.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = Json(json) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>POSTs raw JSON with an explicit Authorization value (or none).</summary>
    public Task<HttpResponseMessage> PostWithAuthAsync(string path, string json, AuthenticationHeaderValue? authorization, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = Json(json) };
        request.Headers.Authorization = authorization;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Server.Http.SendAsync(request);
    }

    /// <summary>Waits until the request-log writer has stored at least <paramref name="count"/> rows, newest first.</summary>
    public Task<JsonElement[]> WaitForLogsAsync(int count, string query = "") => AdminApi.WaitForLogsAsync(Admin, count, query);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
        _dataDir.Dispose();
    }
}
