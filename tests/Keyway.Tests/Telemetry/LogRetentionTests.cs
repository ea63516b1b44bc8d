using Keyway.Configuration;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Telemetry;

public sealed class LogRetentionTests
{
    [Fact]
    public async Task PruneOlderThan_DeletesOnlyOlderRows_AcrossSeveralBatches()
    {
        using var dir = new TempDirectory();
        var repository = new RequestLogRepository(await LogTestData.MigratedDatabaseAsync(dir.Path));
        var cutoff = LogTestData.Noon;
        var old = Enumerable.Range(1, 5).Select(i => LogTestData.Entry(cutoff.AddMinutes(-i)));
        var kept = Enumerable.Range(0, 3).Select(i => LogTestData.Entry(cutoff.AddMinutes(i)));
        await repository.InsertBatchAsync([.. old, .. kept], CancellationToken.None);

        var deleted = await repository.PruneOlderThanAsync(cutoff, batchSize: 2, CancellationToken.None);

        Assert.Equal(5, deleted);
        var remaining = await repository.QueryAsync(new RequestLogFilter(), before: null, limit: 50, CancellationToken.None);
        Assert.Equal(3, remaining.Rows.Count);
        Assert.All(remaining.Rows, row => Assert.True(row.Entry.CreatedAt >= cutoff));
    }

    [Fact]
    public async Task PruneOnce_UsesTheConfiguredRetentionDays()
    {
        using var dir = new TempDirectory();
        var connections = await LogTestData.MigratedDatabaseAsync(dir.Path);
        var repository = new RequestLogRepository(connections);
        var now = LogTestData.Noon;
        await repository.InsertBatchAsync(
            [LogTestData.Entry(now.AddDays(-31)), LogTestData.Entry(now.AddDays(-10).AddHours(-1)), LogTestData.Entry(now.AddDays(-1))],
            CancellationToken.None);
        var options = new KeywayOptions { Secret = "s", AdminToken = "t", DataDir = dir.Path, LogRetentionDays = 10 };
        var service = new LogRetentionService(repository, options, new FakeTimeProvider(now), NullLogger<LogRetentionService>.Instance);

        Assert.Equal(2, await service.PruneOnceAsync(CancellationToken.None));
        Assert.Equal(1, await LogTestData.CountRowsAsync(connections));
        Assert.Equal(0, await service.PruneOnceAsync(CancellationToken.None));
    }
}
