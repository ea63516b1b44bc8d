using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyway.Tests.Hardening;

/// <summary>The request-log writer through a database outage (disk full): rows wait in the bounded buffer, nothing is lost silently.</summary>
public sealed class RequestLogOutageTests
{
    [Fact]
    public async Task DiskFull_RowsWaitAndAreWrittenOnceTheDatabaseTakesWritesAgain()
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(await LogTestData.MigratedDatabaseAsync(dir.Path)) { Full = true };
        var (queue, status, health, writer) = Pipeline(disk, capacity: RequestLogWriter.RetryBufferCapacity);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 1200; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddMilliseconds(i)));
        }

        await WaitUntilAsync(() => status.InsertErrors >= 2);
        Assert.Contains("database or disk is full", health.Problem);
        Assert.Equal(0, status.Written);

        disk.Full = false;
        await WaitUntilAsync(() => status.Written == 1200);
        Assert.Null(health.Problem);
        await writer.StopAsync(CancellationToken.None);
        writer.Dispose();

        Assert.Equal(1200, await LogTestData.CountRowsAsync(disk));
        Assert.Equal(0, status.Failed);
        Assert.Equal(0, status.Dropped);
        Assert.Equal(0, writer.Pending);
    }

    [Fact]
    public async Task LongOutage_PushesTheOldestRowsOutOfTheFullBuffer_AndCountsThem()
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(await LogTestData.MigratedDatabaseAsync(dir.Path)) { Full = true };
        var (queue, status, _, writer) = Pipeline(disk, capacity: 100);
        await writer.StartAsync(CancellationToken.None);
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        await WaitUntilAsync(() => status.InsertErrors >= 1);

        for (var i = 1; i <= 250; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddSeconds(i)));
        }
        await WaitUntilAsync(() => status.Failed == 151);
        disk.Full = false;
        await WaitUntilAsync(() => status.Written == 100);
        await writer.StopAsync(CancellationToken.None);
        writer.Dispose();

        // The 100 newest rows survived; the 151 oldest were given up and counted, none vanished.
        Assert.Equal(100, await LogTestData.CountRowsAsync(disk));
        Assert.Equal(251, status.Written + status.Failed + status.Dropped);
    }

    private static (RequestLogQueue, RequestLogStatus, DatabaseWriteHealth, RequestLogWriter) Pipeline(IDbConnectionFactory database, int capacity)
    {
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, TimeProvider.System, NullLogger<RequestLogQueue>.Instance, TestMetrics.Create());
        var health = new DatabaseWriteHealth(TimeProvider.System);
        var writer = new RequestLogWriter(queue, new RequestLogRepository(database), status, health, NullLogger<RequestLogWriter>.Instance, capacity);
        return (queue, status, health, writer);
    }

    /// <summary>Polls a condition the writer reaches in the background; fails the test after 30 s.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
