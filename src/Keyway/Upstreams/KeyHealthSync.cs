using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// Scale-out on PostgreSQL: every <see cref="Interval"/> reads the key states all instances stored and merges them
/// into this instance's <see cref="CooldownBook"/>, so a key cooled or quarantined on one instance is skipped by the
/// others within a second, and a reset on one clears the key on the others (see <see cref="KeyHealth.Merge"/>). On
/// SQLite (one instance) it does nothing. The request path never waits on it. A failed read (PostgreSQL stopped or
/// restarting, or no answer within <see cref="DatabaseExchange.Timeout"/>) is logged and the next pass opens a new connection.
/// </summary>
public sealed class KeyHealthSync(
    CooldownBook book, KeyHealthRepository repository, IDbConnectionFactory connections, TimeProvider time, ILogger<KeyHealthSync> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        connections.Dialect != PostgresConnectionFactory.DialectName
            ? Task.CompletedTask
            : PeriodicLoop.RunAsync(Interval, time, MergeOnceAsync, new FailureStreak("Reading the key states of the other instances", time, logger), stoppingToken);

    private Task MergeOnceAsync(CancellationToken cancellationToken) =>
        DatabaseExchange.RunAsync(async bounded => book.Merge(await repository.ListAllAsync(bounded)), cancellationToken);
}
