namespace Keyway.Tests.Infrastructure;

/// <summary>A thread-safe counter that tests can await reaching a value, so they never poll or sleep.</summary>
internal sealed class FakeCounter
{
    private readonly Lock _gate = new();
    private readonly List<(int Target, TaskCompletionSource Reached)> _waiters = [];
    private int _value;

    public int Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    public void Increment()
    {
        List<TaskCompletionSource> reached;
        lock (_gate)
        {
            _value++;
            reached = [.. _waiters.Where(waiter => waiter.Target <= _value).Select(waiter => waiter.Reached)];
            _waiters.RemoveAll(waiter => waiter.Target <= _value);
        }
        foreach (var waiter in reached)
        {
            waiter.TrySetResult();
        }
    }

    public Task WaitForAsync(int target, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_value >= target)
            {
                return Task.CompletedTask;
            }
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _value = 0;
        }
    }
}
