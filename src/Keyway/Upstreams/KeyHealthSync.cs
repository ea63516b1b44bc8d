using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// Scale-out on PostgreSQL: every <see cref="Interval"/> reads the key states all instances stored and merges them
/// into this instance's <see cref="CooldownBook"/>, so a key cooled or quarantined on one instance is skipped by the
/// others within a second, and a reset on one clears the key on the others (see <see cref="KeyHealth.Merge"/>). On
/// SQLite (one instance) it does nothing. The request path never waits on it. A failed read (PostgreSQL stopped or
/// restarting) is logged and the next pass opens a new connection.
/// </summary>
public sealed partial class KeyHealthSync(
    CooldownBook book, KeyHealthRepository repository, IDbConnectionFactory connections, TimeProvider time, ILogger<KeyHealthSync> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (connections.Dialect != PostgresConnectionFactory.DialectName)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await MergeOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task MergeOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            book.Merge(await repository.ListAllAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            Log.ReadFailed(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the key states of the other instances failed: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string reason);
    }
}
