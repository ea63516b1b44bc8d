using Keyway.Configuration;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// Holds the current RoutingTable. Requests read <see cref="Current"/> (one volatile read);
/// a configuration change rebuilds the table from the database and swaps it atomically.
/// </summary>
public sealed partial class RoutingTableHolder(ConfigurationSnapshotReader reader, SecretBox secrets, KeywayOptions options, ILogger<RoutingTableHolder> logger)
    : IConfigurationChangeSink
{
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    /// <summary>The left-out extra headers already warned of (provider id, header name), so each is warned of once, not at every reload.</summary>
    private readonly HashSet<(string ProviderId, string Name)> _leftOutWarned = [];
    private volatile RoutingTable _current = RoutingTable.Empty;
    private TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public RoutingTable Current => _current;

    /// <summary>
    /// Completes when <see cref="Current"/> is next replaced (a change here or, on PostgreSQL, on another instance): what
    /// holds a decision of the table for long (an open WebSocket's key) waits for it instead of asking on every message.
    /// </summary>
    public Task Replaced => Volatile.Read(ref _replaced).Task;

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
            Interlocked.Exchange(ref _replaced, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            WarnOfLeftOutHeaders(snapshot);
            Loaded = true;
            Interlocked.Increment(ref _version);
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    public Task ConfigurationChangedAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    private void WarnOfLeftOutHeaders(ConfigurationSnapshot snapshot)
    {
        foreach (var provider in snapshot.Providers)
        {
            foreach (var name in provider.SealedExtraHeaders.Keys.Where(Upstreams.ExtraHeaderRule.IsRefused))
            {
                if (_leftOutWarned.Add((provider.ProviderId, name)))
                {
                    Log.ExtraHeaderLeftOut(logger, provider.ProviderId, name);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "Provider {ProviderId}'s extra header {Name} is not sent: the HTTP client writes it for each request; remove it from the provider's extra_headers")]
        public static partial void ExtraHeaderLeftOut(ILogger logger, string providerId, string name);
    }
}
