using Keyway.Configuration;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Drains <see cref="RequestLogQueue"/> into the database in batches, one transaction each, through one prepared
/// INSERT. A database that refuses writes (locked, disk full, unreachable) never ends the loop and never blocks a
/// request: rows wait in a <see cref="BoundedRetryBuffer{T}"/> and are retried with a growing delay until the
/// database takes them; only rows pushed out of the full buffer are lost, and they are counted as failed. A batch the
/// database leaves unanswered is abandoned after <see cref="DatabaseExchange.Timeout"/> and retried on a new connection,
/// without writing twice the rows a commit cut off from its answer took (<see cref="RequestLogBatchPosition"/>).
/// <see cref="DatabaseWriteHealth"/> says meanwhile why the database is degraded, and the log says it once per outage
/// (<see cref="FailureStreak"/>). On shutdown the queue is closed and everything queued or buffered is written before
/// StopAsync returns, a refused batch retried within the <see cref="FinalFlush"/> window; what is still unwritten then
/// is given up, counted as failed and named in one error line.
/// </summary>
/// <remarks>
/// A plain IHostedService rather than a BackgroundService: BackgroundService may never start
/// ExecuteAsync when the host stops right after starting, which would lose queued entries.
/// </remarks>
public sealed partial class RequestLogWriter(
    RequestLogQueue queue, RequestLogRepository repository, RequestLogStatus status, DatabaseWriteHealth health,
    ILogger<RequestLogWriter> logger, int retryBufferCapacity = RequestLogWriter.RetryBufferCapacity,
    WorkSlice? slice = null, int givesWayUpToBacklog = RequestLogWriter.GivesWayUpToBacklog, TimeSpan? finalFlushWindow = null)
    : IHostedService, IDisposable
{
    /// <summary>
    /// Rows per transaction. A batch runs on <see cref="_insertThread"/>, which the operating system shares the cores
    /// with the requests; 64 rows take it ~0.5–2 ms on the benchmark machine, in slices of <see cref="WorkSlice.DefaultLength"/>
    /// while the writer keeps up (<see cref="GivesWayUpToBacklog"/>).
    /// </summary>
    public const int MaxBatchSize = 64;

    /// <summary>
    /// Rows waiting (queued and pending) up to which a batch gives the core back to the requests every
    /// <see cref="WorkSlice.DefaultLength"/>. Beyond it the writer is falling behind and writes without pausing: yielding under
    /// saturation starved it (52,119 of 318,519 rows dropped at 32 connections, bench/RESULTS.md). About a second of
    /// traffic at 10k requests/s, an eighth of the queue.
    /// </summary>
    public const int GivesWayUpToBacklog = 8_192;

    /// <summary>Rows kept for retry while the database refuses them (about 1 KB each in memory).</summary>
    public const int RetryBufferCapacity = 100_000;

    /// <summary>
    /// How long a wake-up waits for more rows before writing a batch that is not full. Without it, a quiet gateway
    /// committed one transaction per request: a WAL append and a thread hop on every call (the benchmark saw it).
    /// </summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>The first wait after a refused batch; it doubles up to <see cref="MaxRetryDelay"/> while refusals go on.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(15);

    // Opened when shutdown begins; ends when the final drain's window or the host's shutdown timeout runs out.
    private readonly FinalFlush _final = new();

    // Cancelled when shutdown begins: the batch window and retry delays are skipped and everything is written at once.
    private readonly CancellationTokenSource _stopping = new();
    private readonly BoundedRetryBuffer<RequestLogEntry> _pending = new(retryBufferCapacity, status.AddFailed);
    // SQLite's inserts are synchronous: on the pool they would take a worker the requests need (BlockingWorkThread).
    private readonly BlockingWorkThread _insertThread = new("keyway-log-writer");
    private readonly WorkSlice _slice = slice ?? WorkSlice.Default();
    // Real time, as the retry delays (WaitAsync).
    private readonly FailureStreak _failures = new("Writing request-log rows to the database", TimeProvider.System, logger);
    private string? _lastFailure;
    private RequestLogBatchInserter? _inserter;

    // This process's writer among those sharing the database: its batches' rows are placed by it (RequestLogBatchPosition).
    private readonly string _writerId = Guid.NewGuid().ToString("N");
    private Task? _loop;

    /// <summary>Rows committed so far.</summary>
    public long Written => status.Written;

    /// <summary>Rows taken from the queue and waiting for the database (a retry after a refusal, or the next batch).</summary>
    public int Pending => _pending.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(DrainAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Closes the queue and returns once everything queued is written, or the host stops waiting.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await _stopping.CancelAsync();
        _final.Open(finalFlushWindow ?? KeywayOptions.FinalFlushWindow, cancellationToken);
        _loop ??= Task.Run(DrainAsync, CancellationToken.None);
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DrainAbandoned(logger, _pending.Count + queue.Depth);
        }
    }

    public void Dispose()
    {
        _insertThread.Dispose();
        _final.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Runs until the queue is closed and nothing is pending; each pass writes the oldest batch.</summary>
    private async Task DrainAsync()
    {
        var delay = FirstRetryDelay;
        while (await HasRowsAsync())
        {
            TakeQueuedRows();
            if (_final.HasEnded)
            {
                GiveUpTheRest();
                continue;
            }
            var batch = _pending.PeekOldest(MaxBatchSize);
            var settled = await SettleAsync(batch, _pending.OldestIndex);
            _pending.RemoveOldest(settled);
            if (settled == batch.Count)
            {
                delay = FirstRetryDelay;
                continue;
            }
            if (_stopping.IsCancellationRequested)
            {
                await _final.WaitToRetryAsync();
                continue;
            }
            await WaitAsync(delay, _stopping.Token);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
        await ResetInserterAsync();
    }

    private async Task<bool> HasRowsAsync()
    {
        if (_pending.Count > 0)
        {
            return true;
        }
        if (!await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            return false;
        }
        if (queue.Reader.Count < MaxBatchSize)
        {
            await WaitAsync(BatchWindow, _stopping.Token);
        }
        return true;
    }

    /// <summary>Moves what the queue holds into the retry buffer, so the queue keeps room while the database is away.</summary>
    private void TakeQueuedRows()
    {
        while (queue.Reader.TryRead(out var entry))
        {
            _pending.Add(entry);
        }
    }

    /// <summary>The final drain's window ran out: everything still waiting (queued ones were taken just before) is lost, counted and said once.</summary>
    private void GiveUpTheRest()
    {
        var rows = _pending.Count;
        _pending.RemoveOldest(rows);
        status.AddFailed(rows);
        Log.RowsLost(logger, rows, _lastFailure ?? "no write was tried in time");
    }

    // Real time on purpose: tests that drive the gateway's TimeProvider by hand still get their log rows written.
    private static async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write now.
        }
    }

    /// <summary>
    /// Writes <paramref name="rows"/> and returns how many of them, from the oldest, are settled: written, or refused for
    /// their own data and given up (counted). A batch the database refuses for a row's data (a constraint, a value it
    /// cannot store) is written in halves until that row stands alone, so one bad row never holds up the others; an
    /// outage settles nothing from where it struck, and those rows are retried.
    /// </summary>
    private async Task<int> SettleAsync(List<RequestLogEntry> rows, long firstRow)
    {
        switch (await TryWriteAsync(rows, firstRow))
        {
            case WriteOutcome.Written:
                return rows.Count;
            case WriteOutcome.Failed:
                return 0;
            case WriteOutcome.RowsRefused when rows.Count == 1:
                status.AddFailed(1);
                return 1;
        }
        var half = rows.Count / 2;
        var settled = await SettleAsync(rows[..half], firstRow);
        return settled < half ? settled : half + await SettleAsync(rows[half..], firstRow + half);
    }

    private async Task<WriteOutcome> TryWriteAsync(List<RequestLogEntry> batch, long firstRow)
    {
        health.WriteStarted();
        try
        {
            await DatabaseExchange.RunAsync(async bounded =>
            {
                _inserter ??= await repository.OpenInserterAsync(bounded);
                var inserter = _inserter;
                var givesWay = _pending.Count + queue.Depth <= givesWayUpToBacklog ? _slice : null;
                var position = new RequestLogBatchPosition(_writerId, firstRow);
                await _insertThread.RunAsync(() => inserter.InsertAsync(batch, position, givesWay, bounded));
            }, _final.Ended);
            status.AddWritten(batch.Count);
            health.WriteSucceeded();
            _failures.Succeeded();
            return WriteOutcome.Written;
        }
        catch (OperationCanceledException) when (_final.HasEnded)
        {
            health.WriteFailed("the final drain was abandoned");
            return WriteOutcome.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            status.AddInsertError();
            await ResetInserterAsync();
            if (RequestLogBatchInserter.RefusesTheRows(e))
            {
                // The database answered: it is the data, not the database, that is at fault.
                health.WriteSucceeded();
                Log.RowsRefused(logger, e, batch.Count);
                return WriteOutcome.RowsRefused;
            }
            health.WriteFailed(e.Message);
            _failures.Failed(e);
            _lastFailure = e.Message;
            return WriteOutcome.Failed;
        }
    }

    private async Task ResetInserterAsync()
    {
        var current = _inserter;
        _inserter = null;
        if (current is null)
        {
            return;
        }
        try
        {
            await current.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.DisposeFailed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Shutting down, {Rows} request-log rows are lost: the database did not take them within the final flush's window (last failure: {Reason}).")]
        public static partial void RowsLost(ILogger logger, int rows, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "The database refused {Rows} request-log rows for their data; a single refused row is given up and counted as failed, the others are written.")]
        public static partial void RowsRefused(ILogger logger, Exception exception, int rows);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown timed out before the request log was fully written: {Rows} request-log rows are lost.")]
        public static partial void DrainAbandoned(ILogger logger, int rows);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a request-log connection failed.")]
        public static partial void DisposeFailed(ILogger logger, Exception exception);
    }

    private enum WriteOutcome
    {
        Written,

        /// <summary>The database is unreachable or refuses writes (locked, full): retry later.</summary>
        Failed,

        /// <summary>The database answered and refused a row of the batch for its data: retrying it would fail forever.</summary>
        RowsRefused,
    }
}
