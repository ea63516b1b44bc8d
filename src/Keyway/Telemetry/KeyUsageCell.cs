using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>One key's usage in one period on this instance, counted with interlocked adds (no lock on the request path).</summary>
internal sealed class KeyUsageCell
{
    private long _requests;
    private long _errors;
    private long _input;
    private long _output;
    private long _cacheRead;
    private long _cacheWrite;
    private long _reasoning;
    private long _version;

    /// <summary>Grows with every <see cref="Add"/>: a flush rewrites the cell when it changed since the last one.</summary>
    public long Version => Volatile.Read(ref _version);

    public long BudgetTokens => Volatile.Read(ref _input) + Volatile.Read(ref _output);

    public void Add(RequestLogEntry entry)
    {
        Interlocked.Increment(ref _requests);
        if (entry.StatusCode >= 400)
        {
            Interlocked.Increment(ref _errors);
        }
        Interlocked.Add(ref _input, entry.InputTokens ?? 0);
        Interlocked.Add(ref _output, entry.OutputTokens ?? 0);
        Interlocked.Add(ref _cacheRead, entry.CacheReadTokens ?? 0);
        Interlocked.Add(ref _cacheWrite, entry.CacheWriteTokens ?? 0);
        Interlocked.Add(ref _reasoning, entry.ReasoningTokens ?? 0);
        Interlocked.Increment(ref _version);
    }

    public KeyUsageFigures Figures() => new(
        Volatile.Read(ref _requests), Volatile.Read(ref _errors), Volatile.Read(ref _input), Volatile.Read(ref _output),
        Volatile.Read(ref _cacheRead), Volatile.Read(ref _cacheWrite), Volatile.Read(ref _reasoning));
}
