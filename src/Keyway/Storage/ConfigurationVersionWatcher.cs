using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// Scale-out on PostgreSQL: keeps one connection LISTENing on keyway_config (notified by the triggers of migration
/// 011 when any instance commits a configuration write) and reads config_version at least every
/// <see cref="PollInterval"/> as a safety net; whenever the version moved, every <see cref="IConfigurationChangeSink"/>
/// rebuilds its in-memory view. The request path never waits on it. Any failure (PostgreSQL stopped or restarting, a
/// reload cut short, a pass stuck on a silently lost connection and abandoned after <see cref="DatabaseExchange.Timeout"/>)
/// is logged (once per outage: <see cref="FailureStreak"/>) and retried every poll interval on a new connection; after a
/// reconnect the version comparison catches the writes whose notifications were missed. Each pass that works is told
/// to <see cref="ConfigurationFreshness"/>, which readiness reads.
/// </summary>
public sealed class ConfigurationVersionWatcher(
    PostgresConnectionFactory connections, IEnumerable<IConfigurationChangeSink> sinks, ConfigurationFreshness freshness,
    TimeProvider time, ILogger<ConfigurationVersionWatcher> logger) : BackgroundService
{
    public const string Channel = "keyway_config";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly FailureStreak _failures = new("Watching the shared configuration version", time, logger);
    private long? _known;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        freshness.Watching();
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
                freshness.Failed(e.Message);
                await Task.Delay(PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        DbConnection? connection = null;
        try
        {
            await DatabaseExchange.RunAsync(async bounded =>
            {
                connection = await connections.OpenAsync(bounded);
                await connection.ExecuteAsync($"LISTEN {Channel}", new { CancellationToken = bounded });
            }, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await DatabaseExchange.RunAsync(bounded => CatchUpAsync(connection!, bounded), stoppingToken);
                _failures.Succeeded();
                freshness.Confirmed();
                // Bounded by itself: a lost connection only lets the poll interval pass, and the next read finds it out.
                await PostgresConnectionFactory.Npgsql(connection!).WaitAsync(PollInterval, stoppingToken);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Reads the version and, when it moved, has every sink rebuild.</summary>
    private async Task CatchUpAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var version = await connection.ExecuteScalarAsync<long>(
            "SELECT version FROM config_version WHERE id = 1", new { CancellationToken = cancellationToken });
        if (_known == version)
        {
            return;
        }
        // The first read also reloads: a write may have landed between the start-up snapshot and this read.
        // The version counts as known only once every sink rebuilt: a reload cut short by a lost connection
        // is done again after the reconnect.
        foreach (var sink in sinks)
        {
            await sink.ConfigurationChangedAsync(cancellationToken);
        }
        _known = version;
    }
}
