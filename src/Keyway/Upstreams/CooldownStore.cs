using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// Persists key health off the request path: the cooldown book offers each change to a channel, and this writer
/// stores the newest state of every changed key in one transaction per batch. A batch the database refuses (down or
/// restarting, or silent past <see cref="DatabaseExchange.Timeout"/>) is kept, newest state per key, and tried again every <see cref="RetryDelay"/> until it is stored (the log
/// says so once per outage: <see cref="FailureStreak"/>), so a cooldown recorded during an outage still reaches the
/// other instances afterwards. <see cref="LoadAsync"/> restores the state at start-up, so a restart neither forgets a
/// cooldown nor frees a quarantined key.
/// </summary>
public sealed class CooldownStore(CooldownBook book, KeyHealthRepository repository, TimeProvider time, ILogger<CooldownStore> logger) : BackgroundService
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // Only the writer loop touches it: the newest state of each key not stored yet.
    private readonly Dictionary<string, KeyHealthState> _unsaved = new(StringComparer.Ordinal);
    private readonly FailureStreak _failures = new("Storing the health of upstream keys", time, logger);

    public async Task LoadAsync(CancellationToken cancellationToken) => book.Restore(await repository.ListAllAsync(cancellationToken));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await NextChangeAsync(stoppingToken))
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

    /// <summary>Waits for the next change; while a refused batch waits, at most <see cref="RetryDelay"/>, so it is retried without one.</summary>
    private async Task<bool> NextChangeAsync(CancellationToken stoppingToken)
    {
        if (_unsaved.Count == 0)
        {
            return await book.Changes.WaitToReadAsync(stoppingToken);
        }
        using var retry = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        retry.CancelAfter(RetryDelay);
        try
        {
            return await book.Changes.WaitToReadAsync(retry.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private async Task FlushAsync()
    {
        while (book.Changes.TryRead(out var state))
        {
            _unsaved[state.KeyId] = state;
        }
        if (_unsaved.Count == 0)
        {
            return;
        }
        try
        {
            await DatabaseExchange.RunAsync(bounded => repository.UpsertAsync(_unsaved.Values, bounded), CancellationToken.None);
            _unsaved.Clear();
            _failures.Succeeded();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _failures.Failed(e);
        }
    }
}
