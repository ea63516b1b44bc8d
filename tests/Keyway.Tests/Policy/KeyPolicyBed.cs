using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// A <see cref="GatewayTestBed"/> on a fake clock that starts two minutes before a UTC midnight (the last day of a month),
/// with helpers to issue keys carrying a policy and to call the gateway with them.
/// </summary>
internal sealed class KeyPolicyBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2030, 1, 31, 23, 58, 0, TimeSpan.Zero);

    private readonly List<HttpClient> _clients = [];

    private KeyPolicyBed(GatewayTestBed bed, FakeTimeProvider clock)
    {
        Bed = bed;
        Clock = clock;
    }

    public GatewayTestBed Bed { get; }
    public FakeTimeProvider Clock { get; }
    public FakeUpstream Upstream => Bed.Upstream;
    public HttpClient Admin => Bed.Admin;

    /// <param name="start">The fake clock's start, <see cref="Start"/> by default. Tests advance it by minutes: every second of
    /// fake time runs the gateway's one-second timers.</param>
    public static async Task<KeyPolicyBed> StartAsync(DateTimeOffset? start = null)
    {
        var clock = new FakeTimeProvider(start ?? Start);
        var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<TimeProvider>(clock));
        return new KeyPolicyBed(bed, clock);
    }

    /// <summary>Issues a key of the default group with <paramref name="policy"/>'s fields; returns its id and a client sending it.</summary>
    public async Task<IssuedKey> CreateKeyAsync(JsonObject policy, string name = "policy key")
    {
        policy["name"] = name;
        var reply = await AdminApi.OkAsync(Admin, HttpMethod.Post, "admin/llm/groups/default/keys", policy);
        var plaintext = reply.GetProperty("plaintext").GetString()!;
        var client = Bed.Server.ClientWithKey(plaintext);
        _clients.Add(client);
        return new IssuedKey(reply.GetProperty("key").GetProperty("key_id").GetString()!, plaintext, client);
    }

    /// <param name="cancellationToken">Canceling it before the answer's headers is the client hanging up.</param>
    public static Task<HttpResponseMessage> ChatAsync(
        HttpClient client, string model = GatewayTestBed.OpenAIAlias, bool stream = false, CancellationToken cancellationToken = default) =>
        SendAsync(client, "v1/chat/completions", $$"""{"model":"{{model}}","stream":{{Flag(stream)}},"messages":[{"role":"user","content":"hi"}]}""", anthropic: false,
            cancellationToken);

    public static Task<HttpResponseMessage> MessagesAsync(HttpClient client, string model = GatewayTestBed.AnthropicAlias, bool stream = false) =>
        SendAsync(client, "v1/messages", $$"""{"model":"{{model}}","max_tokens":64,"stream":{{Flag(stream)}},"messages":[{"role":"user","content":"hi"}]}""", anthropic: true);

    /// <summary>Sends one chat call, reads its whole body, and returns the status.</summary>
    public static async Task<int> ChatStatusAsync(HttpClient client, string model = GatewayTestBed.OpenAIAlias, bool stream = false)
    {
        using var response = await ChatAsync(client, model, stream);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    /// <summary>Waits until the gateway has finished <paramref name="count"/> requests in all (their log rows are stored, so their usage is counted).</summary>
    public Task<JsonElement[]> WaitForRequestsAsync(int count) => Bed.WaitForLogsAsync(count);

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await Bed.DisposeAsync();
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string json, bool anthropic, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = GatewayTestBed.Json(json) };
        if (anthropic)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}

/// <summary>An issued key's id, its plaintext and an HttpClient that authenticates with it.</summary>
internal sealed record IssuedKey(string KeyId, string Plaintext, HttpClient Client);
