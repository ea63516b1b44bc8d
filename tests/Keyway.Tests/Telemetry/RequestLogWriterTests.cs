using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyway.Tests.Telemetry;

public sealed class RequestLogWriterTests
{
    [Fact]
    public async Task GracefulStop_WritesEveryQueuedEntry()
    {
        using var dir = new TempDirectory();
        const int count = 1234; // more than two batches
        var server = await KeywayServer.StartAsync(dir.Path);
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        var status = server.Services.GetRequiredService<RequestLogStatus>();

        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddMilliseconds(i)));
        }
        await server.DisposeAsync();

        Assert.Equal(count, await LogTestData.CountRowsAsync(server.OpenDatabase()));
        Assert.Equal(count, status.Written);
        Assert.Equal(0, status.Dropped);
        Assert.Equal(0, status.Failed);
    }

    [Fact]
    public async Task GracefulStop_KeepsEveryFieldOfTheEntry()
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var entry = LogTestData.Entry(LogTestData.Noon, status: 502) with
        {
            Stream = true,
            Error = "upstream said \"no\" — ошибка",
            TtfbMs = 42,
            InputTokens = null,
            CacheReadTokens = 3,
            CacheWriteTokens = 4,
            ReasoningTokens = 5,
            Attempts = 2,
            UserAgent = "claude-cli/1.0",
        };
        server.Services.GetRequiredService<RequestLogQueue>().Enqueue(entry);
        await server.DisposeAsync();

        var repository = new RequestLogRepository(server.OpenDatabase());
        var page = await repository.QueryAsync(new RequestLogFilter(), before: null, limit: 10, CancellationToken.None);

        Assert.Equal(entry, Assert.Single(page.Rows).Entry);
    }

    [Fact]
    public async Task StopRightAfterStart_StillDrainsTheQueue()
    {
        using var dir = new TempDirectory();
        var connections = await LogTestData.MigratedDatabaseAsync(dir.Path);
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, TimeProvider.System, NullLogger<RequestLogQueue>.Instance, TestMetrics.Create());
        using var writer = new RequestLogWriter(
            queue, new RequestLogRepository(connections), status, new DatabaseWriteHealth(TimeProvider.System), NullLogger<RequestLogWriter>.Instance);
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(1, status.Written);
        Assert.Equal(1, await LogTestData.CountRowsAsync(connections));
    }

    [Fact]
    public async Task DatabaseStillRefusingAtShutdown_CountsEachBatchAsFailed_AndKeepsDraining()
    {
        using var dir = new TempDirectory();
        var unmigrated = new SqliteConnectionFactory(Path.Combine(dir.Path, "empty.db"));
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, TimeProvider.System, NullLogger<RequestLogQueue>.Instance, TestMetrics.Create());
        using var writer = new RequestLogWriter(
            queue, new RequestLogRepository(unmigrated), status, new DatabaseWriteHealth(TimeProvider.System), NullLogger<RequestLogWriter>.Instance);

        // Queued before the start, so the writer sees one full batch and then one more entry.
        for (var i = 0; i < RequestLogWriter.MaxBatchSize + 1; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        }

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(0, status.Written);
        Assert.Equal(RequestLogWriter.MaxBatchSize + 1, status.Failed);
        Assert.True(status.InsertErrors >= 4, $"{status.InsertErrors} insert errors"); // two batches, each tried at least twice
    }
}
