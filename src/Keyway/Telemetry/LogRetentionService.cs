using Keyway.Configuration;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Prunes request-log rows older than KEYWAY_LOG_RETENTION_DAYS shortly after start and then
/// every hour, in small delete batches so the log writer is never held up for long. Each batch is added to the daily
/// roll-up first (<see cref="RequestLogRepository.PruneOlderThanAsync"/>), so the stats keep counting pruned rows.
/// </summary>
public sealed partial class LogRetentionService(
    RequestLogRepository repository, KeywayOptions options, TimeProvider time, ILogger<LogRetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan FirstRunDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    public const int DeleteBatchSize = 1000;

    /// <summary>Deletes every row older than the retention period as of now; returns how many.</summary>
    public async Task<long> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.LogRetentionDays);
        var deleted = await repository.PruneOlderThanAsync(cutoff, DeleteBatchSize, cancellationToken);
        if (deleted > 0)
        {
            Log.Pruned(logger, deleted, cutoff);
        }
        return deleted;
    }

    /// <summary>Stopping ends the loop; the next start prunes again.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(
            Interval, time, PruneOnceAsync, new FailureStreak("Pruning old request-log rows", time, logger), stoppingToken, firstTickAfter: FirstRunDelay);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Rows} request-log rows older than {Cutoff:O}.")]
        public static partial void Pruned(ILogger logger, long rows, DateTimeOffset cutoff);
    }
}
