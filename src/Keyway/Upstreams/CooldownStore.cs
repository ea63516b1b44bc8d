using System.Data.Common;
using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// Persists key health off the request path: the cooldown book offers each change to a channel, and this writer
/// stores the newest state of every changed key in one transaction per batch. <see cref="LoadAsync"/> restores the
/// state at start-up, so a restart neither forgets a cooldown nor frees a quarantined key.
/// </summary>
public sealed partial class CooldownStore(CooldownBook book, KeyHealthRepository repository, ILogger<CooldownStore> logger) : BackgroundService
{
    public async Task LoadAsync(CancellationToken cancellationToken) => book.Restore(await repository.ListAllAsync(cancellationToken));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await book.Changes.WaitToReadAsync(stoppingToken))
            {
                // A write in progress is never cancelled: the states it took off the channel would be lost with it.
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the final flush below stores what is still queued.
        }
        await FlushAsync();
    }

    private async Task FlushAsync()
    {
        var latest = new Dictionary<string, KeyHealthState>(StringComparer.Ordinal);
        while (book.Changes.TryRead(out var state))
        {
            latest[state.KeyId] = state;
        }
        if (latest.Count == 0)
        {
            return;
        }
        try
        {
            await repository.UpsertAsync(latest.Values, CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            Log.WriteFailed(logger, latest.Count, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store the health of {Count} upstream keys: {Reason}")]
        public static partial void WriteFailed(ILogger logger, int count, string reason);
    }
}
