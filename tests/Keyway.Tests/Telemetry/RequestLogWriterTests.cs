using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyway.Tests.Telemetry;

public sealed class RequestLogWriterTests
{
    private static readonly RequestLogEntry EveryFieldSet = LogTestData.Entry(LogTestData.Noon, status: 502) with
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
        Translated = true,
        Visitor = true,
        WebSearchCalls = 2,
        WebSearchRounds = 1,
        WebSearchRoundMs = [120],
        WebSearchQueries = ["dotnet 10", "ключ"],
        ToolFallback = "web_search",
        AttemptLog = [new RequestAttempt("prov-1", "a", 429), new RequestAttempt("prov-1", "b", 502)],
    };

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
        var entry = EveryFieldSet;
        server.Services.GetRequiredService<RequestLogQueue>().Enqueue(entry);
        await server.DisposeAsync();

        var repository = new RequestLogRepository(server.OpenDatabase());
        var page = await repository.QueryAsync(new RequestLogFilter(), before: null, limit: 10, CancellationToken.None);

        AssertStoredAsGiven(entry, Assert.Single(page.Rows).Entry);
    }

    [Fact]
    public async Task RowsThatRepeatOrChangeAnyValueOfTheRowBefore_AreEachStoredAsGiven()
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var full = EveryFieldSet with { AttemptLog = [new RequestAttempt("prov-1", "a", 200)] };
        var sparse = LogTestData.Entry(LogTestData.Noon) with { ApiKeyId = null, RouteAlias = null, InputTokens = null, OutputTokens = null };
        // Each value kept, changed, emptied and set again from one row to the next; equal texts as other string instances.
        RequestLogEntry[] variants =
        [
            full, full, sparse, full, sparse, sparse,
            full with { Error = "", UserAgent = new string("claude-cli/1.0".AsSpan()), LatencyMs = 0 },
            full with { Error = null, TtfbMs = 0, Stream = false },
            full with { AttemptLog = [new RequestAttempt("prov-1", "a", 429), new RequestAttempt("prov-1", "b", 200)] },
            full with { AttemptLog = [new RequestAttempt("prov-1", "b", 200)], GroupId = "other", Endpoint = "/v1/messages" },
            full,
        ];
        // Three times over: 33 rows are four multi-row INSERTs and one single one, and as 11 and 8 share no factor, each
        // place of the multi-row INSERT sees other changes from one of its runs to the next.
        var entries = Enumerable.Repeat(variants, 3).SelectMany(rows => rows)
            .Select((entry, i) => entry with { CreatedAt = LogTestData.Noon.AddSeconds(i) }).ToList();
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        var status = server.Services.GetRequiredService<RequestLogStatus>();
        entries.ForEach(entry => queue.Enqueue(entry));
        await server.DisposeAsync();

        // Written at the first try: a batch refused and written again in halves would hide a wrong value in its retry.
        Assert.Equal(0, status.InsertErrors);
        var page = await new RequestLogRepository(server.OpenDatabase()).QueryAsync(new RequestLogFilter(), before: null, limit: 50, CancellationToken.None);
        var stored = page.Rows.Select(row => row.Entry).OrderBy(entry => entry.CreatedAt).ToList();
        Assert.Equal(entries.Count, stored.Count);
        foreach (var (expected, actual) in entries.Zip(stored))
        {
            AssertStoredAsGiven(expected, actual);
        }
    }

    [Theory]
    [InlineData(0)] // empty text stays empty, not NULL
    [InlineData(1)]
    [InlineData(2_000)] // more UTF-8 bytes than the writer encodes on the stack
    public async Task TextOfAnyLength_IsStoredAsGiven(int repeats)
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var text = string.Concat(Enumerable.Repeat("ключ 😀 ", repeats));
        server.Services.GetRequiredService<RequestLogQueue>().Enqueue(LogTestData.Entry(LogTestData.Noon) with { Error = text, UserAgent = text });
        await server.DisposeAsync();

        var page = await new RequestLogRepository(server.OpenDatabase()).QueryAsync(new RequestLogFilter(), before: null, limit: 10, CancellationToken.None);
        var row = Assert.Single(page.Rows).Entry;
        Assert.Equal(text, row.Error);
        Assert.Equal(text, row.UserAgent);
    }

    [Fact]
    public async Task TextTheDatabaseCannotHold_IsMended_AndNeverHoldsUpTheRowsAfterIt()
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        // An upstream error with a NUL (PostgreSQL text cannot hold one) and one cut inside an emoji (a lone surrogate is
        // not UTF-8); COPY's delimiters and escapes in the same row.
        var odd = LogTestData.Entry(LogTestData.Noon) with { Error = "nul\0here, cut \uD83D", UserAgent = "tab\tnew\nline\r back\\slash \\N 😀" };
        queue.Enqueue(odd);
        for (var i = 1; i <= 10; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddSeconds(i)));
        }
        await server.DisposeAsync();

        var page = await new RequestLogRepository(server.OpenDatabase()).QueryAsync(new RequestLogFilter(), before: null, limit: 20, CancellationToken.None);
        Assert.Equal(11, page.Rows.Count);
        var written = page.Rows.Single(row => row.Entry.Error is not null).Entry;
        Assert.Equal("nul\uFFFDhere, cut \uFFFD", written.Error);
        Assert.Equal(odd.UserAgent, written.UserAgent);
    }

    [Fact]
    public async Task ARowTheDatabaseRefuses_IsGivenUpAlone_AndTheRestOfItsBatchIsWritten()
    {
        using var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        var status = server.Services.GetRequiredService<RequestLogStatus>();
        for (var i = 0; i < 21; i++)
        {
            // group_id is NOT NULL: a constraint both databases enforce on the row itself.
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddSeconds(i)) with { GroupId = i == 13 ? null! : "default" });
        }
        await server.DisposeAsync();

        Assert.Equal(20, await LogTestData.CountRowsAsync(server.OpenDatabase()));
        Assert.Equal(20, status.Written);
        Assert.Equal(1, status.Failed);
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
    public async Task WhileTheWriterKeepsUp_ItsBatchesGiveTheCoreAwayBetweenGroupsOfRows()
    {
        var (written, yields) = await WriteWithSlicesAsync(rows: 200, givesWayUpToBacklog: RequestLogWriter.GivesWayUpToBacklog);

        Assert.Equal(200, written);
        // Batches of 64, 64, 64 and 8 rows: 25 multi-row INSERTs, each "taking" 40 µs on the stepping clock, so a 100 µs
        // slice is used up about every third one.
        var statements = 200 / PreparedRequestLogInserter.RowsPerGroup;
        Assert.InRange(yields, statements / 4, statements / 2);
    }

    [Fact]
    public async Task WhileTheWriterFallsBehind_ItWritesWithoutPausing()
    {
        // No backlog is small enough: every batch is written as if the writer were behind.
        var (written, yields) = await WriteWithSlicesAsync(rows: 200, givesWayUpToBacklog: 0);

        Assert.Equal(200, written);
        Assert.Equal(0, yields);
    }

    /// <summary>Queues <paramref name="rows"/> before the writer starts, so its first batch sees them all waiting.</summary>
    private static async Task<(long Written, int Yields)> WriteWithSlicesAsync(int rows, int givesWayUpToBacklog)
    {
        using var dir = new TempDirectory();
        var connections = await LogTestData.MigratedDatabaseAsync(dir.Path);
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, TimeProvider.System, NullLogger<RequestLogQueue>.Instance, TestMetrics.Create());
        var yields = 0;
        var slice = new WorkSlice(new SteppingClock(TimeSpan.FromMicroseconds(40)), WorkSlice.DefaultLength, () => yields++);
        using var writer = new RequestLogWriter(
            queue, new RequestLogRepository(connections), status, new DatabaseWriteHealth(TimeProvider.System),
            NullLogger<RequestLogWriter>.Instance, slice: slice, givesWayUpToBacklog: givesWayUpToBacklog);
        for (var i = 0; i < rows; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddMilliseconds(i)));
        }

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(rows, await LogTestData.CountRowsAsync(connections));
        return (status.Written, yields);
    }

    /// <summary>A clock that moves on by <paramref name="step"/> each time it is read.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
    }

    /// <summary>
    /// PostgreSQL restarting (or failing over) while the gateway stops: the final flush keeps trying within its window,
    /// so the rows answered before the stop are written once the database is back, none given up after two tries.
    /// </summary>
    [Fact]
    public async Task DatabaseBackDuringTheFinalFlush_EveryRowIsWritten()
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(await LogTestData.MigratedDatabaseAsync(dir.Path)) { Full = true };
        var (queue, status, writer) = Pipeline(disk, NullLogger<RequestLogWriter>.Instance);
        QueueTwoBatches(queue);
        await writer.StartAsync(CancellationToken.None);

        var stop = writer.StopAsync(CancellationToken.None);
        await RequestLogOutageTests.WaitUntilAsync(() => status.InsertErrors >= 3);
        disk.Full = false;
        await stop;

        Assert.Equal((RequestLogWriter.MaxBatchSize + 1, 0L), (status.Written, status.Failed));
        Assert.Equal(RequestLogWriter.MaxBatchSize + 1, await LogTestData.CountRowsAsync(disk));
    }

    /// <summary>
    /// The database still away when the final flush's window ends: every row left is counted as failed and named in one
    /// error line; the outage itself is logged once, not with a stack trace per refused batch.
    /// </summary>
    [Fact]
    public async Task DatabaseStillAwayWhenTheFinalFlushEnds_TheLostRowsAreCountedAndNamedInOneErrorLine()
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(await LogTestData.MigratedDatabaseAsync(dir.Path)) { Full = true };
        var log = new CapturedLog();
        using var loggers = new LoggerFactory([log]);
        var (queue, status, writer) = Pipeline(disk, loggers.CreateLogger<RequestLogWriter>(), finalFlushWindow: TimeSpan.FromSeconds(2));
        QueueTwoBatches(queue);

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal((0L, RequestLogWriter.MaxBatchSize + 1), (status.Written, status.Failed));
        Assert.True(status.InsertErrors >= 3, $"{status.InsertErrors} insert errors: the final flush did not keep trying");
        var lines = log.Text.Split('\n');
        Assert.Single(lines, line => line.StartsWith("Error ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(
            $"Error Keyway.Telemetry.RequestLogWriter: Shutting down, {RequestLogWriter.MaxBatchSize + 1} request-log rows are lost", StringComparison.Ordinal));
        Assert.Single(lines, line => line.StartsWith(
            "Warning Keyway.Telemetry.RequestLogWriter: Writing request-log rows to the database failed, retrying: SqliteException: SQLite Error 13", StringComparison.Ordinal));
    }

    /// <summary>Queued before the start, so the writer sees one full batch and then one more entry.</summary>
    private static void QueueTwoBatches(RequestLogQueue queue)
    {
        for (var i = 0; i < RequestLogWriter.MaxBatchSize + 1; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddMilliseconds(i)));
        }
    }

    private static (RequestLogQueue, RequestLogStatus, RequestLogWriter) Pipeline(
        IDbConnectionFactory database, ILogger<RequestLogWriter> logger, TimeSpan? finalFlushWindow = null)
    {
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, TimeProvider.System, NullLogger<RequestLogQueue>.Instance, TestMetrics.Create());
        var writer = new RequestLogWriter(
            queue, new RequestLogRepository(database), status, new DatabaseWriteHealth(TimeProvider.System), logger, finalFlushWindow: finalFlushWindow);
        return (queue, status, writer);
    }

    /// <summary>Every field equal; the lists (read back as new lists) by their items.</summary>
    private static void AssertStoredAsGiven(RequestLogEntry expected, RequestLogEntry actual)
    {
        Assert.Equal(expected.AttemptLog, actual.AttemptLog);
        Assert.Equal(expected.WebSearchRoundMs, actual.WebSearchRoundMs);
        Assert.Equal(expected.WebSearchQueries, actual.WebSearchQueries);
        Assert.Equal(expected, actual with { AttemptLog = expected.AttemptLog, WebSearchRoundMs = expected.WebSearchRoundMs, WebSearchQueries = expected.WebSearchQueries });
    }
}
