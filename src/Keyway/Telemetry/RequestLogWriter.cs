using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Drains <see cref="RequestLogQueue"/> into the database in batches, one transaction each,
/// through one prepared INSERT. On shutdown the queue is closed and everything already queued
/// is written before StopAsync returns. A database error never ends the loop: the batch is
/// retried once on a fresh connection, then dropped and counted.
/// </summary>
/// <remarks>
/// A plain IHostedService rather than a BackgroundService: BackgroundService may never start
/// ExecuteAsync when the host stops right after starting, which would lose queued entries.
/// </remarks>
public sealed partial class RequestLogWriter(
    RequestLogQueue queue, RequestLogRepository repository, RequestLogStatus status, ILogger<RequestLogWriter> logger) : IHostedService, IDisposable
{
    public const int MaxBatchSize = 500;

    /// <summary>
    /// How long a wake-up waits for more rows before writing a batch that is not full. Without it, a quiet gateway
    /// committed one transaction per request: a WAL append and a thread hop on every call (the benchmark saw it).
    /// </summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    // Cancelled only when the host's shutdown timeout runs out during the final drain.
    private readonly CancellationTokenSource _abandon = new();

    // Cancelled when shutdown begins: the batch window is skipped and everything queued is written at once.
    private readonly CancellationTokenSource _stopping = new();
    private RequestLogBatchInserter? _inserter;
    private Task? _loop;

    /// <summary>Rows committed so far.</summary>
    public long Written => status.Written;

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
        await using var registration = cancellationToken.Register(_abandon.Cancel);
        _loop ??= Task.Run(DrainAsync, CancellationToken.None);
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DrainAbandoned(logger);
        }
    }

    public void Dispose()
    {
        _abandon.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Runs until the queue is closed and empty; each wake-up takes what is there, up to one batch.</summary>
    private async Task DrainAsync()
    {
        var batch = new List<RequestLogEntry>(MaxBatchSize);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await WaitForMoreRowsAsync();
            while (batch.Count < MaxBatchSize && queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }
            await WriteWithRetryAsync(batch);
            batch.Clear();
        }
        await ResetInserterAsync();
    }

    private async Task WaitForMoreRowsAsync()
    {
        if (queue.Reader.Count >= MaxBatchSize || _stopping.IsCancellationRequested)
        {
            return;
        }
        try
        {
            await Task.Delay(BatchWindow, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write now.
        }
    }

    private async Task WriteWithRetryAsync(List<RequestLogEntry> batch)
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                _inserter ??= await repository.OpenInserterAsync(_abandon.Token);
                await _inserter.InsertAsync(batch, _abandon.Token);
                status.AddWritten(batch.Count);
                return;
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                status.AddInsertError();
                Log.InsertFailed(logger, e, batch.Count, attempt);
                await ResetInserterAsync();
            }
        }
        status.AddFailed(batch.Count);
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
        [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Rows} request-log rows failed (attempt {Attempt} of 2).")]
        public static partial void InsertFailed(ILogger logger, Exception exception, int rows, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timed out before the request log was fully written; the rest is counted as failed.")]
        public static partial void DrainAbandoned(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a request-log connection failed.")]
        public static partial void DisposeFailed(ILogger logger, Exception exception);
    }
}
