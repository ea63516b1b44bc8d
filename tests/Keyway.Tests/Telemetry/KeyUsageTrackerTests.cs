using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Telemetry;

public sealed class KeyUsageTrackerTests
{
    [Fact]
    public async Task Flush_WritesTheLatestTouchOfEachKey()
    {
        using var dir = new TempDirectory();
        var connections = await LogTestData.MigratedDatabaseAsync(dir.Path);
        await LogTestData.InsertIssuedKeyAsync(connections, "key-a");
        await LogTestData.InsertIssuedKeyAsync(connections, "key-b");
        var tracker = new KeyUsageTracker(new KeyLastUsedRepository(connections));

        tracker.Touch("key-a", LogTestData.Noon.AddMinutes(5));
        tracker.Touch("key-a", LogTestData.Noon);
        tracker.Touch("unknown-key", LogTestData.Noon);
        Assert.Null(await LogTestData.LastUsedAtAsync(connections, "key-a"));
        await tracker.FlushAsync(CancellationToken.None);

        Assert.Equal(LogTestData.Noon.AddMinutes(5), DateTimeOffset.Parse(await LogTestData.LastUsedAtAsync(connections, "key-a") ?? ""));
        Assert.Null(await LogTestData.LastUsedAtAsync(connections, "key-b"));
    }

    [Fact]
    public async Task GracefulStop_FlushesPendingTouches()
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var connections = server.Services.GetRequiredService<IDbConnectionFactory>();
        await LogTestData.InsertIssuedKeyAsync(connections, "key-a");

        server.Services.GetRequiredService<KeyUsageTracker>().Touch("key-a", LogTestData.Noon);
        await server.DisposeAsync();

        var stored = await LogTestData.LastUsedAtAsync(server.OpenDatabase(), "key-a");
        Assert.Equal(LogTestData.Noon, DateTimeOffset.Parse(stored ?? ""));
    }

    /// <summary>
    /// A touch is on every request's path: it allocated a closure and its delegate (96 bytes) besides the dictionary's own
    /// new node for the updated time (56 bytes: a DateTimeOffset cannot be written in place atomically); the node is left.
    /// </summary>
    [Fact]
    public void Touch_AllocatesNoClosure()
    {
        using var dir = new TempDirectory();
        var tracker = new KeyUsageTracker(new KeyLastUsedRepository(new SqliteConnectionFactory(Path.Combine(dir.Path, "unused.db"))));
        tracker.Touch("key-a", LogTestData.Noon);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            tracker.Touch("key-a", LogTestData.Noon.AddSeconds(i));
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 10_000 * 80, $"{allocated} bytes allocated by 10,000 touches");
    }
}
