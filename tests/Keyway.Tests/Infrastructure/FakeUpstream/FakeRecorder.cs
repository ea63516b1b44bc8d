namespace Keyway.Tests.Infrastructure;

/// <summary>The requests the fake received, in arrival order; safe under parallel calls.</summary>
internal sealed class FakeRecorder
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly FakeCounter _count = new();

    public int Count => _count.Value;

    public void Add(RecordedRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
        _count.Increment();
    }

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _requests];
        }
    }

    public RecordedRequest Last()
    {
        lock (_gate)
        {
            return _requests.Count > 0 ? _requests[^1] : throw new InvalidOperationException("The fake upstream has received no request.");
        }
    }

    public Task WaitForCountAsync(int count, CancellationToken cancellationToken) => _count.WaitForAsync(count, cancellationToken);

    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
        _count.Reset();
    }
}
