using Keyway.Configuration;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// Holds the current RoutingTable. Requests read <see cref="Current"/> (one volatile read);
/// a configuration change rebuilds the table from the database and swaps it atomically.
/// </summary>
public sealed class RoutingTableHolder(ConfigurationSnapshotReader reader, SecretBox secrets, KeywayOptions options) : IConfigurationChangeSink
{
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private volatile RoutingTable _current = RoutingTable.Empty;
    private long _version;

    public RoutingTable Current => _current;

    /// <summary>True once a snapshot was read from the database (a failed reload keeps the previous one).</summary>
    public bool Loaded { get; private set; }
    /// <summary>Snapshots built so far by this process (0 before the first); exported as a metric.</summary>
    public long Version => Interlocked.Read(ref _version);

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await reader.LoadAsync(cancellationToken);
            _current = RoutingTableBuilder.Build(snapshot, secrets, options.Failover, options.LocalClientsKey);
            Loaded = true;
            Interlocked.Increment(ref _version);
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    public Task ConfigurationChangedAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);
}
