using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Storage;

public sealed class RepositoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SnapshotReader_LoadsEverything_KeysInSortOrder()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var providers = server.Services.GetRequiredService<ProviderRepository>();
        await providers.CreateAsync(Provider("p1", [Key("p1", "b", 1), Key("p1", "a", 0)]), CancellationToken.None);
        await server.Services.GetRequiredService<RouteRepository>().CreateAsync(Route("r1", "gpt", "p1"), CancellationToken.None);
        await server.Services.GetRequiredService<IssuedKeyRepository>().CreateAsync(IssuedKey("k1", "hash-1"), CancellationToken.None);

        var snapshot = await server.Services.GetRequiredService<ConfigurationSnapshotReader>().LoadAsync(CancellationToken.None);

        Assert.Equal("default", Assert.Single(snapshot.Groups).GroupId);
        var provider = Assert.Single(snapshot.Providers);
        Assert.Equal(["a", "b"], provider.Keys.Select(k => k.Name));
        Assert.Equal("v", provider.SealedExtraHeaders["x-h"]);
        Assert.Equal(Now, provider.CreatedAt);
        Assert.Equal("gpt", Assert.Single(snapshot.Routes).Alias);
        Assert.Equal("hash-1", Assert.Single(snapshot.IssuedKeys).KeyHash);
        Assert.Empty(snapshot.ToolProviders);
    }

    [Fact]
    public async Task DuplicateIds_SurfaceAsStorageConflict()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var providers = server.Services.GetRequiredService<ProviderRepository>();
        var routes = server.Services.GetRequiredService<RouteRepository>();
        await providers.CreateAsync(Provider("p1", []), CancellationToken.None);
        await routes.CreateAsync(Route("r1", "gpt", "p1"), CancellationToken.None);

        await Assert.ThrowsAsync<StorageConflictException>(() => providers.CreateAsync(Provider("p1", []), CancellationToken.None));
        await Assert.ThrowsAsync<StorageConflictException>(() => routes.CreateAsync(Route("r2", "gpt", "p1"), CancellationToken.None));
        await Assert.ThrowsAsync<StorageConflictException>(() =>
            providers.CreateAsync(Provider("p2", [Key("p2", "same", 0), Key("p2", "same", 1)]), CancellationToken.None));
        Assert.Null(await providers.GetAsync("p2", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateLastUsed_WritesABatch_AndNeverMovesBackwards()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keys = server.Services.GetRequiredService<IssuedKeyRepository>();
        await keys.CreateAsync(IssuedKey("k1", "h1"), CancellationToken.None);
        await keys.CreateAsync(IssuedKey("k2", "h2"), CancellationToken.None);

        await keys.UpdateLastUsedAsync(new Dictionary<string, DateTimeOffset> { ["k1"] = Now.AddMinutes(5), ["k2"] = Now.AddMinutes(7) }, CancellationToken.None);
        await keys.UpdateLastUsedAsync(new Dictionary<string, DateTimeOffset> { ["k1"] = Now.AddMinutes(1), ["missing"] = Now }, CancellationToken.None);

        Assert.Equal(Now.AddMinutes(5), (await keys.GetAsync("k1", CancellationToken.None))!.LastUsedAt);
        Assert.Equal(Now.AddMinutes(7), (await keys.GetAsync("k2", CancellationToken.None))!.LastUsedAt);
    }

    [Fact]
    public async Task DeleteProvider_ReturnsDeletedRouteIds_OrNullWhenMissing()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var providers = server.Services.GetRequiredService<ProviderRepository>();
        await providers.CreateAsync(Provider("p1", []), CancellationToken.None);
        await server.Services.GetRequiredService<RouteRepository>().CreateAsync(Route("r1", "gpt", "p1"), CancellationToken.None);

        Assert.Equal(["r1"], await providers.DeleteAsync(Provider("p1", []), CancellationToken.None));
        Assert.Null(await providers.DeleteAsync(Provider("p1", []), CancellationToken.None));
        Assert.Null(await server.Services.GetRequiredService<RouteRepository>().GetAsync("r1", CancellationToken.None));
    }

    [Fact]
    public async Task KeyNativeEndpoints_AreStoredOnCreate_AndReplacedOnUpdate()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var providers = server.Services.GetRequiredService<ProviderRepository>();
        var key = Key("p1", "reseller", 0) with { NativeEndpoints = new Dictionary<string, string> { ["anthropic"] = "https://example.com/anthropic" } };
        await providers.CreateAsync(Provider("p1", [key, Key("p1", "plain", 1)]), CancellationToken.None);

        var created = (await providers.GetAsync("p1", CancellationToken.None))!.Keys;
        await server.Services.GetRequiredService<KeyPoolRepository>().UpdateKeyAsync(
            "p1", key.KeyId, (current, _) => current with { NativeEndpoints = new Dictionary<string, string> { ["openai-responses"] = "https://example.com/v1" } },
            CancellationToken.None);
        var updated = (await providers.GetAsync("p1", CancellationToken.None))!.Keys;

        Assert.Equal(["https://example.com/anthropic", null], created.Select(k => k.NativeEndpoints?.GetValueOrDefault("anthropic")));
        Assert.Empty(created[1].NativeEndpoints!);
        Assert.Equal("https://example.com/v1", Assert.Single(updated[0].NativeEndpoints!, pair => pair.Key == "openai-responses").Value);
        Assert.Single(updated[0].NativeEndpoints!);
    }

    private static ProviderRecord Provider(string id, IReadOnlyList<UpstreamKeyRecord> keys) => new(
        id, "default", id, "http://127.0.0.1:1/v1", "openai", true, "", 600, new Dictionary<string, string> { ["x-h"] = "v" },
        "round_robin", Now, Now, keys);

    private static UpstreamKeyRecord Key(string providerId, string name, int sortOrder) =>
        new(Guid.NewGuid().ToString("N"), providerId, name, "v1.sealed", true, sortOrder, Now);

    private static RouteRecord Route(string id, string alias, string providerId) =>
        new(id, "default", alias, providerId, "model", "", true, "", Now, Now);

    private static IssuedKeyRecord IssuedKey(string id, string hash) =>
        new(id, "default", "name", "", hash, "db_sk_abc...", "v1.sealed", true, null, null, Now, Now);
}
