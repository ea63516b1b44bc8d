namespace Keyway.Telemetry.Metrics;

/// <summary>
/// One series' running value: a sum or last value (<see cref="Value"/>), or a histogram (bucket counts and sum).
/// Updated lock-free from any thread; a scrape reads it without stopping writers, so a histogram's sum and its
/// buckets may differ by the few measurements that land during the read (the count is the buckets' total).
/// <see cref="Series"/> is the tags it was created for.
/// </summary>
internal sealed class MetricPoint(SeriesKey series, int bucketCount)
{
    private readonly long[] _buckets = new long[bucketCount];
    private long _value;
    private double _sum;

    public SeriesKey Series { get; } = series;

    public long Value => Interlocked.Read(ref _value);
    public double Sum => Volatile.Read(ref _sum);

    /// <summary>The count of bucket <paramref name="index"/> alone (not cumulative); the last bucket is +Inf.</summary>
    public long Bucket(int index) => Interlocked.Read(ref _buckets[index]);

    public void Add(long value) => Interlocked.Add(ref _value, value);

    public void Set(long value) => Interlocked.Exchange(ref _value, value);

    public void Observe(double value, int bucket)
    {
        Interlocked.Increment(ref _buckets[bucket]);
        var current = Volatile.Read(ref _sum);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _sum, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }
            current = seen;
        }
    }
}
