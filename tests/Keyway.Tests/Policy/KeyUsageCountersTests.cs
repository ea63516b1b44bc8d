using Dapper;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// Instances sharing one database exchange their keys' usage through key_usage: each sees the others' counts after
/// both synced, and a new instance (a restart) starts from everything written before; rows of deleted keys go.
/// </summary>
public sealed class KeyUsageCountersTests
{
    private static readonly DateOnly Day = DateOnly.FromDateTime(KeyPolicyBed.Start.UtcDateTime);

    [Fact]
    public async Task TwoInstances_SeeEachOthersUsage_AfterTheyHaveSynced()
    {
        using var dir = new TempDirectory();
        await using var database = await TestDatabase.OpenAsync(dir, "k1", "k2");
        var repository = database.Repository;
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        var first = new KeyUsageCounters(repository, clock);
        var second = new KeyUsageCounters(repository, clock);

        first.Record(Entry("k1", input: 10, output: 5));
        Assert.Equal(15, first.DayTokens("k1", Day));
        Assert.Equal(0, second.DayTokens("k1", Day));

        await first.SyncAsync(CancellationToken.None);
        await second.SyncAsync(CancellationToken.None);
        Assert.Equal(15, second.DayTokens("k1", Day));

        second.Record(Entry("k1", input: 20, output: 1));
        second.Record(Entry("k2", input: 1, output: 1));
        await second.SyncAsync(CancellationToken.None);
        await first.SyncAsync(CancellationToken.None);
        Assert.Equal(36, first.DayTokens("k1", Day));
        Assert.Equal(36, first.MonthTokens("k1", Day));
        Assert.Equal(2, first.DayTokens("k2", Day));
        Assert.Equal(0, first.DayTokens("k1", Day.AddDays(1)));

        var restarted = new KeyUsageCounters(repository, clock);
        await restarted.SyncAsync(CancellationToken.None);
        Assert.Equal(36, restarted.DayTokens("k1", Day));
        var sums = await repository.SumAsync("k1", KeyUsageCounters.Text(Day), KeyUsageCounters.Text(Day), CancellationToken.None);
        Assert.Equal(new KeyUsageFigures(2, 0, 30, 6, 0, 0, 0), sums);
    }

    [Fact]
    public async Task Sync_RewritesOnlyChangedDays_WithAbsoluteCounts()
    {
        using var dir = new TempDirectory();
        await using var database = await TestDatabase.OpenAsync(dir, "k1");
        var repository = database.Repository;
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        var counters = new KeyUsageCounters(repository, clock);

        counters.Record(Entry("k1", input: 3, output: 4, status: 500));
        await counters.SyncAsync(CancellationToken.None);
        await counters.SyncAsync(CancellationToken.None);
        counters.Record(Entry("k1", input: 1, output: 1));
        await counters.SyncAsync(CancellationToken.None);

        var sums = await repository.SumAsync("k1", KeyUsageCounters.Text(Day), KeyUsageCounters.Text(Day), CancellationToken.None);
        Assert.Equal(new KeyUsageFigures(2, 1, 4, 5, 0, 0, 0), sums);
    }

    [Fact]
    public async Task Sync_NeitherWritesNorKeepsRowsOfDeletedKeys()
    {
        using var dir = new TempDirectory();
        await using var database = await TestDatabase.OpenAsync(dir, "kept", "deleted-with-group");
        var repository = database.Repository;
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        var counters = new KeyUsageCounters(repository, clock);
        counters.Record(Entry("kept", input: 1, output: 1));
        counters.Record(Entry("deleted-with-group", input: 1, output: 1));
        await counters.SyncAsync(CancellationToken.None);

        // A key removed without its rows (its group deleted, or an earlier Keyway), and one that never existed.
        await database.DeleteKeyRowAsync("deleted-with-group");
        counters.Record(Entry("never-issued", input: 1, output: 1));
        clock.Advance(TimeSpan.FromMinutes(1));
        await counters.SyncAsync(CancellationToken.None);

        Assert.Equal(2, await TotalAsync(repository, "kept"));
        Assert.Equal(0, await TotalAsync(repository, "deleted-with-group"));
        Assert.Equal(0, await TotalAsync(repository, "never-issued"));
    }

    private static async Task<long> TotalAsync(KeyUsageRepository repository, string keyId) =>
        (await repository.SumAsync(keyId, KeyUsageCounters.Text(Day), KeyUsageCounters.Text(Day), CancellationToken.None)).BudgetTokens;

    private static RequestLogEntry Entry(string keyId, long input, long output, int status = 200) => new()
    {
        CreatedAt = KeyPolicyBed.Start,
        GroupId = "default",
        ApiKeyId = keyId,
        Endpoint = "/v1/chat/completions",
        ClientProtocol = "openai",
        StatusCode = status,
        LatencyMs = 1,
        InputTokens = input,
        OutputTokens = output,
    };
}

/// <summary>
/// A migrated database of the kind the run uses (PostgreSQL when KEYWAY_TEST_POSTGRES is set, else a SQLite file), with
/// the issued keys a test names (usage is kept only for keys that exist).
/// </summary>
internal sealed class TestDatabase(IDbConnectionFactory connections) : IAsyncDisposable
{
    public KeyUsageRepository Repository { get; } = new(connections);

    public IDbConnectionFactory Connections => connections;

    public static async Task<TestDatabase> OpenAsync(TempDirectory dir, params string[] keyIds)
    {
        IDbConnectionFactory connections = TestPostgres.IsEnabled
            ? new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path))
            : new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        await new MigrationRunner(connections).ApplyAsync(CancellationToken.None);
        foreach (var keyId in keyIds)
        {
            await LogTestData.InsertIssuedKeyAsync(connections, keyId);
        }
        return new TestDatabase(connections);
    }

    /// <summary>Deletes the api_keys row alone, as a group's cascade or an earlier Keyway did, leaving its usage rows.</summary>
    public async Task DeleteKeyRowAsync(string keyId)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("DELETE FROM api_keys WHERE key_id = @keyId", new { keyId });
    }

    public ValueTask DisposeAsync() => connections is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
