using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A <see cref="GatewayTestBed"/> on a fake clock whose OpenAI provider has a pool of named keys; key "a" sends the
/// upstream secret "sk-a", and so on, so the fake upstream can script replies per key.
/// </summary>
internal sealed class KeyPoolBed : IAsyncDisposable
{
    public const string ChatBody = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";

    private KeyPoolBed(GatewayTestBed bed, FakeTimeProvider clock)
    {
        Bed = bed;
        Clock = clock;
    }

    public GatewayTestBed Bed { get; }
    public FakeTimeProvider Clock { get; }
    public FakeUpstream Upstream => Bed.Upstream;
    public HttpClient Admin => Bed.Admin;

    public static string Secret(string keyName) => $"sk-{keyName}";

    public static async Task<KeyPoolBed> StartAsync(string routingMode, params string[] keyNames)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<TimeProvider>(clock));
        var pool = new KeyPoolBed(bed, clock);
        await pool.SetPoolAsync(GatewayTestBed.OpenAIProvider, routingMode, keyNames);
        return pool;
    }

    public Task SetPoolAsync(string providerId, string routingMode, params string[] keyNames) =>
        PatchProviderAsync(providerId, new JsonObject
        {
            ["routing_mode"] = routingMode,
            ["api_keys"] = new JsonArray(keyNames.Select(name => (JsonNode)new JsonObject { ["name"] = name, ["api_key"] = Secret(name) }).ToArray()),
        });

    public Task PatchProviderAsync(string providerId, JsonObject body) =>
        AdminApi.OkAsync(Admin, HttpMethod.Patch, $"admin/llm/providers/{providerId}", body);

    public Task<HttpResponseMessage> ChatAsync(string model = GatewayTestBed.OpenAIAlias, bool stream = false) =>
        Bed.PostAsync("v1/chat/completions", $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

    /// <summary>Sends one chat request and returns its status.</summary>
    public async Task<int> ChatStatusAsync(string model = GatewayTestBed.OpenAIAlias)
    {
        using var response = await ChatAsync(model);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    /// <summary>
    /// The key names the upstream saw for client requests, in order, then forgets them. Quarantine probes (the
    /// prober's "Reply with OK." request, fired when the fake clock passes a probe tick) are left out.
    /// </summary>
    public string[] TakeKeysSeen()
    {
        var keys = Upstream.Requests
            .Where(request => !request.Body.Contains("Reply with OK.", StringComparison.Ordinal))
            .Select(request => request.UpstreamKey?["sk-".Length..] ?? "?")
            .ToArray();
        Upstream.Reset();
        return keys;
    }

    /// <summary>The health of one key of a provider, as GET /admin/llm/health shows it.</summary>
    public Task<JsonElement> KeyHealthAsync(string keyName, string providerId = GatewayTestBed.OpenAIProvider) => KeyHealthAsync(Admin, providerId, keyName);

    public static async Task<JsonElement> KeyHealthAsync(HttpClient admin, string providerId, string keyName)
    {
        var health = await AdminApi.OkAsync(admin, HttpMethod.Get, "admin/llm/health");
        var provider = health.GetProperty("health").EnumerateArray().Single(p => p.GetProperty("provider_id").GetString() == providerId);
        return provider.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("name").GetString() == keyName);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    public ValueTask DisposeAsync() => Bed.DisposeAsync();
}
