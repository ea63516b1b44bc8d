namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Which reply the next request gets: replies scripted for its upstream key first (queued, then standing), then
/// queued one-shot replies, then the reply-to-all, then the default.
/// </summary>
internal sealed class FakeScript
{
    private readonly Lock _gate = new();
    private readonly Queue<FakeReply> _queued = new();
    private readonly Dictionary<string, Queue<FakeReply>> _queuedByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeReply> _alwaysByKey = new(StringComparer.Ordinal);
    private FakeReply? _always;

    /// <summary>Scripts requests made with <paramref name="upstreamKey"/>: the next <paramref name="times"/> ones, or every one when null.</summary>
    public void ForKey(string upstreamKey, FakeReply reply, int? times)
    {
        lock (_gate)
        {
            if (times is null)
            {
                _alwaysByKey[upstreamKey] = reply;
                return;
            }
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times.Value);
            if (!_queuedByKey.TryGetValue(upstreamKey, out var queue))
            {
                _queuedByKey[upstreamKey] = queue = new Queue<FakeReply>();
            }
            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(reply);
            }
        }
    }

    public void Enqueue(FakeReply reply, int times)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _queued.Enqueue(reply);
            }
        }
    }

    public void ReplyToAll(FakeReply? reply)
    {
        lock (_gate)
        {
            _always = reply;
        }
    }

    public FakeReply Next(string? upstreamKey)
    {
        lock (_gate)
        {
            if (upstreamKey is not null && _queuedByKey.TryGetValue(upstreamKey, out var queue) && queue.TryDequeue(out var keyed))
            {
                return keyed;
            }
            if (upstreamKey is not null && _alwaysByKey.TryGetValue(upstreamKey, out var standing))
            {
                return standing;
            }
            return _queued.TryDequeue(out var reply) ? reply : _always ?? FakeReply.Default;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _queued.Clear();
            _queuedByKey.Clear();
            _alwaysByKey.Clear();
            _always = null;
        }
    }
}
