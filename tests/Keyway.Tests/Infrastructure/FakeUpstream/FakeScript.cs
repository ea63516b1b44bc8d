namespace Keyway.Tests.Infrastructure;

/// <summary>Which reply the next request gets: queued one-shot replies first, then the reply-to-all, then the default.</summary>
internal sealed class FakeScript
{
    private readonly Lock _gate = new();
    private readonly Queue<FakeReply> _queued = new();
    private FakeReply? _always;

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

    public FakeReply Next()
    {
        lock (_gate)
        {
            return _queued.TryDequeue(out var reply) ? reply : _always ?? FakeReply.Default;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _queued.Clear();
            _always = null;
        }
    }
}
