using Dapper;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Scale-out on PostgreSQL: keeps one connection LISTENing on keyway_config (notified by the triggers of migration
/// 011 when any instance commits a configuration write) and reads config_version at least every
/// <see cref="PollInterval"/> as a safety net; whenever the version moved, every <see cref="IConfigurationChangeSink"/>
/// rebuilds its in-memory view. The request path never waits on it. Any failure (PostgreSQL stopped or restarting, a
/// reload cut short) is logged (once per outage: <see cref="FailureStreak"/>) and retried every poll interval on a new
/// connection; after a reconnect the version comparison catches the writes whose notifications were missed.
/// </summary>
public sealed class ConfigurationVersionWatcher(
    PostgresConnectionFactory connections, IEnumerable<IConfigurationChangeSink> sinks, TimeProvider time,
    ILogger<ConfigurationVersionWatcher> logger) : BackgroundService
{
    public const string Channel = "keyway_config";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly FailureStreak _failures = new("Watching the shared configuration version", time, logger);
    private long? _known;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _failures.Failed(e);
                await Task.Delay(PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        await using var connection = (NpgsqlConnection)await connections.OpenAsync(stoppingToken);
        await connection.ExecuteAsync($"LISTEN {Channel}", new { CancellationToken = stoppingToken });
        while (!stoppingToken.IsCancellationRequested)
        {
            var version = await connection.ExecuteScalarAsync<long>(
                "SELECT version FROM config_version WHERE id = 1", new { CancellationToken = stoppingToken });
            if (_known != version)
            {
                // The first read also reloads: a write may have landed between the start-up snapshot and this read.
                // The version counts as known only once every sink rebuilt: a reload cut short by a lost connection
                // is done again after the reconnect.
                foreach (var sink in sinks)
                {
                    await sink.ConfigurationChangedAsync(stoppingToken);
                }
                _known = version;
            }
            _failures.Succeeded();
            await connection.WaitAsync(PollInterval, stoppingToken);
        }
    }
}
