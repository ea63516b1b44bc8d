using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// Deletes the stored Responses turns past their KEYWAY_RESPONSE_STORE_DAYS (and those of deleted issued keys) shortly
/// after start and then every hour, as <see cref="Telemetry.LogRetentionService"/> prunes the request log. Reads already
/// ignore an expired turn; pruning only gives the space back.
/// </summary>
public sealed partial class StoredResponseRetentionService(
    StoredResponseRepository repository, TimeProvider time, ILogger<StoredResponseRetentionService> logger) : BackgroundService
{
    public const int DeleteBatchSize = 1000;

    /// <summary>Deletes every expired turn as of now; returns how many.</summary>
    public async Task<long> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = await repository.PruneAsync(time.GetUtcNow(), DeleteBatchSize, cancellationToken);
        if (deleted > 0)
        {
            Log.Pruned(logger, deleted);
        }
        return deleted;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(
        Telemetry.LogRetentionService.Interval, time, PruneOnceAsync, new FailureStreak("Pruning expired stored responses", time, logger), stoppingToken,
        firstTickAfter: Telemetry.LogRetentionService.FirstRunDelay);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Rows} expired stored responses.")]
        public static partial void Pruned(ILogger logger, long rows);
    }
}
