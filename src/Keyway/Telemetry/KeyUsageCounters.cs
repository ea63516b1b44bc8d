using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>
/// Issued keys' usage per UTC day and month, in memory, so budgets are checked without database I/O. This instance's
/// own counts live in <see cref="KeyUsageCell"/>s; the other instances' (and earlier runs') counts are a snapshot read
/// from key_usage by <see cref="SyncAsync"/>, which also writes this instance's changed days (about once a second, see
/// <see cref="KeyUsageSyncService"/>). A key's usage is the snapshot plus the own cells.
/// </summary>
public sealed class KeyUsageCounters(KeyUsageRepository repository, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string KeyId, DateOnly Day), KeyUsageCell> _days = new();
    private readonly ConcurrentDictionary<(string KeyId, int Month), KeyUsageCell> _months = new();
    private readonly ConcurrentDictionary<(string KeyId, DateOnly Day), long> _flushed = new();
    private readonly SemaphoreSlim _sync = new(1, 1);
    private Others _others = Others.Empty;
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>This instance's id in key_usage: new at every start, so an earlier run's rows count as another instance's.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Counts one finished request of an issued key (every surface's log row comes here). No I/O.</summary>
    public void Record(RequestLogEntry entry)
    {
        if (entry.ApiKeyId is not { } keyId)
        {
            return;
        }
        var day = DateOnly.FromDateTime(entry.CreatedAt.UtcDateTime);
        _days.GetOrAdd((keyId, day), static _ => new KeyUsageCell()).Add(entry);
        _months.GetOrAdd((keyId, MonthOf(day)), static _ => new KeyUsageCell()).Add(entry);
    }

    /// <summary>Input + output tokens the key used on <paramref name="day"/>, across instances.</summary>
    public long DayTokens(string keyId, DateOnly day) =>
        (_days.TryGetValue((keyId, day), out var own) ? own.BudgetTokens : 0) + _others.DayTokens(keyId, day);

    /// <summary>Input + output tokens the key used in the month of <paramref name="day"/>, across instances.</summary>
    public long MonthTokens(string keyId, DateOnly day)
    {
        var month = MonthOf(day);
        return (_months.TryGetValue((keyId, month), out var own) ? own.BudgetTokens : 0) + _others.MonthTokens(keyId, month);
    }

    /// <summary>
    /// Writes this instance's days that changed since the last write (absolute counts, so a retry is harmless), then reads
    /// the other instances' days of the current month; once a minute, deletes the rows of deleted keys. One at a time; on
    /// failure the changes stay for the next call.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var changed = _days
                .Select(pair => (pair.Key, pair.Value.Version, Figures: pair.Value.Figures()))
                .Where(day => !_flushed.TryGetValue(day.Key, out var written) || written != day.Version)
                .ToList();
            await repository.UpsertAsync(
                InstanceId, changed.Select(day => new KeyUsageDay(day.Key.KeyId, Text(day.Key.Day), day.Figures)).ToList(), now, cancellationToken);
            foreach (var day in changed)
            {
                _flushed[day.Key] = day.Version;
            }
            if (now - _prunedAt >= TimeSpan.FromMinutes(1))
            {
                await repository.PruneDeletedKeysAsync(cancellationToken);
                _prunedAt = now;
            }
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var monthStart = new DateOnly(today.Year, today.Month, 1);
            _others = Others.From(await repository.ListOthersAsync(InstanceId, Text(monthStart), cancellationToken));
            ForgetBefore(monthStart);
        }
        finally
        {
            _sync.Release();
        }
    }

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static int MonthOf(DateOnly day) => day.Year * 12 + day.Month - 1;

    /// <summary>Drops own cells of past months once they are written; key_usage keeps them.</summary>
    private void ForgetBefore(DateOnly monthStart)
    {
        foreach (var (key, cell) in _days)
        {
            if (key.Day < monthStart && _flushed.TryGetValue(key, out var written) && written == cell.Version)
            {
                _days.TryRemove(key, out _);
                _flushed.TryRemove(key, out _);
            }
        }
        foreach (var key in _months.Keys.Where(key => key.Month < MonthOf(monthStart)))
        {
            _months.TryRemove(key, out _);
        }
    }

    /// <summary>The other instances' token counts of the current month, by key and day and by key and month.</summary>
    private sealed class Others(FrozenDictionary<(string, DateOnly), long> days, FrozenDictionary<(string, int), long> months)
    {
        public static Others Empty { get; } = new(FrozenDictionary<(string, DateOnly), long>.Empty, FrozenDictionary<(string, int), long>.Empty);

        public long DayTokens(string keyId, DateOnly day) => days.GetValueOrDefault((keyId, day));

        public long MonthTokens(string keyId, int month) => months.GetValueOrDefault((keyId, month));

        public static Others From(IReadOnlyList<KeyUsageDay> rows)
        {
            var parsed = rows.Select(row => (row.KeyId, Day: DateOnly.ParseExact(row.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), Tokens: row.Figures.BudgetTokens)).ToList();
            return new Others(
                parsed.ToFrozenDictionary(row => (row.KeyId, row.Day), row => row.Tokens),
                parsed.GroupBy(row => (row.KeyId, MonthOf(row.Day))).ToFrozenDictionary(group => group.Key, group => group.Sum(row => row.Tokens)));
        }
    }
}
