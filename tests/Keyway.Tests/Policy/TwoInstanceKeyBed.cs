using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Telemetry;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// Two Keyway instances on one database (PostgreSQL in the PostgreSQL run, else one SQLite file), a fake upstream behind
/// provider "fake", and one issued key with a policy, with a client for it on each instance. The instances share one fake clock that tests
/// never advance unless they say so, so the once-a-second exchange runs exactly when a test calls <see cref="ExchangeAsync"/>.
/// </summary>
internal sealed class TwoInstanceKeyBed : IAsyncDisposable
{
    private readonly TempDirectory _dataDir;

    private TwoInstanceKeyBed(TempDirectory dataDir, FakeUpstream upstream, FakeTimeProvider clock, KeywayServer first, KeywayServer second, string keyId, string plaintext)
    {
        _dataDir = dataDir;
        Upstream = upstream;
        Clock = clock;
        First = first;
        Second = second;
        KeyId = keyId;
        OnFirst = first.ClientWithKey(plaintext);
        OnSecond = second.ClientWithKey(plaintext);
        Plaintext = plaintext;
    }

    public FakeUpstream Upstream { get; }
    public FakeTimeProvider Clock { get; }
    public KeywayServer First { get; }
    public KeywayServer Second { get; }
    public string KeyId { get; }
    public string Plaintext { get; }
    public HttpClient OnFirst { get; }
    public HttpClient OnSecond { get; }

    /// <param name="provider">Fields to patch into provider "fake" (its key pool, key_wait_seconds) before the second instance starts.</param>
    public static async Task<TwoInstanceKeyBed> StartAsync(JsonObject policy, JsonObject? provider = null)
    {
        var dataDir = new TempDirectory();
        var upstream = await FakeUpstream.StartAsync();
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        void UseClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);
        var first = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        await AdminApi.CreateProviderAsync(first.Admin, "default", "fake", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(first.Admin, "default", GatewayTestBed.OpenAIAlias, "fake", GatewayTestBed.OpenAIModel);
        if (provider is not null)
        {
            await AdminApi.OkAsync(first.Admin, HttpMethod.Patch, "admin/llm/providers/fake", provider);
        }
        policy["name"] = "shared";
        var created = await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", policy);
        var second = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        return new TwoInstanceKeyBed(dataDir, upstream, clock, first, second,
            created.GetProperty("key").GetProperty("key_id").GetString()!, created.GetProperty("plaintext").GetString()!);
    }

    /// <summary>One exchange of both instances, the first one's write before the second one's read, then the first one's read.</summary>
    public async Task ExchangeAsync()
    {
        await SyncAsync(First);
        await SyncAsync(Second);
        await SyncAsync(First);
    }

    public static async Task SyncAsync(KeywayServer server)
    {
        await server.Services.GetRequiredService<KeyUsageCounters>().SyncAsync(CancellationToken.None);
        await server.Services.GetRequiredService<KeyRateWindows>().SyncAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        OnFirst.Dispose();
        OnSecond.Dispose();
        await Second.DisposeAsync();
        await First.DisposeAsync();
        await Upstream.DisposeAsync();
        _dataDir.Dispose();
    }
}
