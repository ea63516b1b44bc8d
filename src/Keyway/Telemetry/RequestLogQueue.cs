using System.Threading.Channels;

namespace Keyway.Telemetry;

/// <summary>
/// The hand-off between the request path and <see cref="RequestLogWriter"/>: a bounded channel
/// that never blocks the caller. When it is full the entry is dropped and counted, and a warning
/// is logged at most once a minute so a flood of drops cannot flood the log too.
/// </summary>
public sealed partial class RequestLogQueue
{
    public const int DefaultCapacity = 65_536;
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<RequestLogEntry> _channel;
    private readonly RequestLogStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger<RequestLogQueue> _logger;
    private readonly Metrics.KeywayMetrics _metrics;
    private long _nextWarningTimestamp;

    public RequestLogQueue(RequestLogStatus status, TimeProvider time, ILogger<RequestLogQueue> logger, Metrics.KeywayMetrics metrics, int capacity = DefaultCapacity)
    {
        _status = status;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _channel = Channel.CreateBounded<RequestLogEntry>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => CountDrop());
    }

    /// <summary>Entries lost at the queue so far.</summary>
    public long Dropped => _status.Dropped;

    /// <summary>Entries waiting for the writer.</summary>
    public int Depth => _channel.Reader.Count;

    internal ChannelReader<RequestLogEntry> Reader => _channel.Reader;

    /// <summary>
    /// Counts the request in the metrics (every answered request passes here, also when its row is then dropped) and
    /// queues one entry for the writer. Never blocks, never throws, does no I/O.
    /// </summary>
    public void Enqueue(RequestLogEntry entry)
    {
        _metrics.RecordRequest(entry);
        if (!_channel.Writer.TryWrite(entry))
        {
            CountDrop();
        }
    }

    /// <summary>Closes the queue so the writer can drain what is left and stop; later entries are dropped.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    private void CountDrop()
    {
        var dropped = _status.AddDropped();
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextWarningTimestamp);
        if (now < next)
        {
            return;
        }
        var following = now + (long)(WarningInterval.TotalSeconds * _time.TimestampFrequency);
        if (Interlocked.CompareExchange(ref _nextWarningTimestamp, following, next) == next)
        {
            Log.EntriesDropped(_logger, dropped);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Request log queue is full or closed: {Dropped} entries dropped so far; the database is not keeping up.")]
        public static partial void EntriesDropped(ILogger logger, long dropped);
    }
}
