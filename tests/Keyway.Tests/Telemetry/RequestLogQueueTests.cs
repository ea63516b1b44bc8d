using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Telemetry;

public sealed class RequestLogQueueTests
{
    [Fact]
    public void Enqueue_WhenFull_DropsTheNewEntriesAndCountsThem()
    {
        var status = new RequestLogStatus();
        var queue = new RequestLogQueue(status, new FakeTimeProvider(), new WarningCounter<RequestLogQueue>(), TestMetrics.Create(), capacity: 4);

        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddSeconds(i)));
        }

        Assert.Equal(6, queue.Dropped);
        Assert.Equal(6, status.Dropped);
        var kept = new List<RequestLogEntry>();
        while (queue.Reader.TryRead(out var entry))
        {
            kept.Add(entry);
        }
        Assert.Equal([0, 1, 2, 3], kept.Select(e => (int)(e.CreatedAt - LogTestData.Noon).TotalSeconds));
    }

    [Fact]
    public void Enqueue_AfterComplete_CountsADrop()
    {
        var queue = new RequestLogQueue(new RequestLogStatus(), new FakeTimeProvider(), new WarningCounter<RequestLogQueue>(), TestMetrics.Create());
        queue.Complete();

        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));

        Assert.Equal(1, queue.Dropped);
    }

    [Fact]
    public void Drops_WarnAtMostOncePerMinute()
    {
        var time = new FakeTimeProvider();
        var logger = new WarningCounter<RequestLogQueue>();
        var queue = new RequestLogQueue(new RequestLogStatus(), time, logger, TestMetrics.Create(), capacity: 1);
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));

        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        time.Advance(TimeSpan.FromSeconds(59));
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        Assert.Equal(1, logger.Warnings);

        time.Advance(TimeSpan.FromSeconds(2));
        queue.Enqueue(LogTestData.Entry(LogTestData.Noon));
        Assert.Equal(2, logger.Warnings);
        Assert.Equal(4, queue.Dropped);
    }

    private sealed class WarningCounter<T> : ILogger<T>
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}
