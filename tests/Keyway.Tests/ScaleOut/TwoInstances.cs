using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// Two Keyway servers (instance ids "a" and "b"), each with its own data dir, on one PostgreSQL schema of the test
/// cluster, plus one fake upstream: the scale-out set-up behind a load balancer, in-process.
/// </summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private readonly TempDirectory _shared;
    private readonly TempDirectory _dirA;
    private readonly TempDirectory _dirB;

    private TwoInstances(TempDirectory shared, TempDirectory dirA, TempDirectory dirB, FakeUpstream upstream, KeywayServer a, KeywayServer b)
    {
        _shared = shared;
        _dirA = dirA;
        _dirB = dirB;
        Upstream = upstream;
        A = a;
        B = b;
    }

    public FakeUpstream Upstream { get; }
    public KeywayServer A { get; }
    public KeywayServer B { get; }

    /// <param name="adminConnectionString">A cluster other than the shared test cluster (see <see cref="PausablePostgres"/>).</param>
    /// <param name="routeA">The way A reaches the database (e.g. through a <see cref="SilentProxy"/>), given B's URL.</param>
    public static async Task<TwoInstances> StartAsync(string? adminConnectionString = null, Func<string, string>? routeA = null)
    {
        var shared = new TempDirectory();
        var url = await TestPostgres.DatabaseUrlForAsync(shared.Path, adminConnectionString);
        var (dirA, dirB) = (new TempDirectory(), new TempDirectory());
        var upstream = await FakeUpstream.StartAsync();
        var a = await KeywayServer.StartAsync(dirA.Path, options => options with { DatabaseUrl = routeA?.Invoke(url) ?? url, InstanceId = "a" });
        var b = await KeywayServer.StartAsync(dirB.Path, options => options with { DatabaseUrl = url, InstanceId = "b" });
        return new TwoInstances(shared, dirA, dirB, upstream, a, b);
    }

    /// <summary>
    /// How long a test waits for what one instance changed to reach the other. The issue promises within a second,
    /// which the instances' sync intervals keep (<see cref="TwoInstanceTests.TheSyncIntervals_KeepTheOneSecondPromise"/>);
    /// a wall-clock bound of one second here failed under CI load, where timing is not the test's to judge.
    /// </summary>
    public static readonly TimeSpan Propagation = TimeSpan.FromSeconds(10);

    public static string Chat(string alias) => $$"""{"model":"{{alias}}","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>
    /// Configures through A: provider "p" (priority) with upstream keys a (sk-a, tried first) and b (sk-b), a route per
    /// alias (in this order) to upstream-m, and an issued key, which it returns once the last route answers on B.
    /// </summary>
    public async Task<string> ConfigureAsync(params string[] aliases)
    {
        await AdminApi.OkAsync(A.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new
        {
            provider_id = "p",
            name = "p",
            base_url = new Uri(Upstream.BaseAddress, "v1").ToString(),
            routing_mode = "priority",
            api_keys = new[] { new { name = "a", api_key = "sk-a" }, new { name = "b", api_key = "sk-b" } },
        });
        foreach (var alias in aliases)
        {
            await AdminApi.CreateRouteAsync(A.Admin, "default", alias, "p", "upstream-m");
        }
        var key = await AdminApi.CreateKeyAsync(A.Admin, "default");
        await EventuallyAsync(() => AnswersAsync(B, key, aliases[^1]), TimeSpan.FromSeconds(10), "the configuration reaching B");
        return key;
    }

    public static async Task<bool> AnswersAsync(KeywayServer server, string issuedKey, string alias)
    {
        using var client = server.ClientWithKey(issuedKey);
        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat(alias)));
        return response.StatusCode == System.Net.HttpStatusCode.OK;
    }

    /// <summary>Whether the server's admin health shows <paramref name="state"/> for upstream key a of <see cref="ConfigureAsync"/>.</summary>
    public static async Task<bool> KeyAIsAsync(KeywayServer server, string state)
    {
        var health = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/health?group_id=default");
        return health.GetProperty("health")[0].GetProperty("keys")[0].GetProperty("state").GetString() == state;
    }

    /// <summary>Polls <paramref name="probe"/> until it holds; fails when it does not within <paramref name="bound"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan bound, string what)
    {
        using var deadline = new CancellationTokenSource(bound);
        while (!await probe())
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{what} did not happen within {bound.TotalSeconds} s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Upstream.DisposeAsync();
        _dirB.Dispose();
        _dirA.Dispose();
        _shared.Dispose();
    }
}
