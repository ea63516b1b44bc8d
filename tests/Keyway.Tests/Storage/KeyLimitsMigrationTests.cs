using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>Migration 015 on a database that already holds a provider: its keys get no cap, it the global key wait.</summary>
public sealed class KeyLimitsMigrationTests
{
    [Fact]
    public async Task ExistingPool_HasNoCapAndTheDefaultWait_UntilSet()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        var all = new MigrationRunner(connections);
        await new MigrationRunner(connections, [.. all.Migrations.Where(m => m.Version < 15)]).ApplyAsync(CancellationToken.None);
        await using (var connection = await connections.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                "INSERT INTO groups (group_id, name, created_at, updated_at) VALUES ('g', 'g', '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z');" +
                "INSERT INTO providers (provider_id, group_id, name, base_url, protocol, created_at, updated_at) " +
                "VALUES ('p', 'g', 'p', 'https://p.example/v1', 'openai', '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z');" +
                "INSERT INTO provider_keys (key_id, provider_id, name, sealed_secret, created_at) VALUES ('k', 'p', 'main', 'sealed', '2025-06-01T00:00:00Z')");
        }

        await all.ApplyAsync(CancellationToken.None);

        var providers = new ProviderRepository(connections);
        var provider = (await providers.GetAsync("p", CancellationToken.None))!;
        Assert.Null(provider.KeyWaitSeconds);
        Assert.Null(Assert.Single(provider.Keys).MaxConcurrency);
        var limited = provider with { KeyWaitSeconds = 0 };
        await providers.UpdateAsync(limited, [provider.Keys[0] with { MaxConcurrency = 4 }], CancellationToken.None);
        provider = (await providers.GetAsync("p", CancellationToken.None))!;
        Assert.Equal(0, provider.KeyWaitSeconds);
        Assert.Equal(4, Assert.Single(provider.Keys).MaxConcurrency);
    }
}
