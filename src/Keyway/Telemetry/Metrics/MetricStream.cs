using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Keyway.Telemetry.Metrics;

/// <summary>How an instrument's measurements combine into a series.</summary>
internal enum MetricKind
{
    /// <summary>Counter: measurements are added.</summary>
    Sum,

    /// <summary>Observable gauge or counter: each observation replaces the value.</summary>
    LastValue,

    /// <summary>Histogram: measurements fall into the instrument's bucket boundaries.</summary>
    Histogram,
}

/// <summary>All series of one instrument. A known series is found without allocating; a new tag combination adds one.</summary>
internal sealed class MetricStream(Instrument instrument, MetricKind kind, double[] bounds)
{
    private readonly ConcurrentDictionary<SeriesKey, MetricPoint> _points = new();

    /// <summary>
    /// The series recorded before, found by the very strings they were recorded with (a route's alias and provider id, a
    /// status code's cached text, literal names) before the dictionary hashes six strings: 2.4% of a request's CPU at 32
    /// connections went to recording metrics. Observed instruments' series are cleared at every scrape and are not cached.
    /// </summary>
    private readonly SeriesCache _recent = new();

    public Instrument Instrument { get; } = instrument;
    public MetricKind Kind { get; } = kind;

    /// <summary>Upper bounds of the finite buckets, ascending; a histogram has one more bucket, +Inf.</summary>
    public double[] Bounds { get; } = bounds;

    public ICollection<KeyValuePair<SeriesKey, MetricPoint>> Points => _points;

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var point = PointFor(tags);
        if (Kind == MetricKind.LastValue)
        {
            point.Set(value);
        }
        else
        {
            point.Add(value);
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var bucket = Array.BinarySearch(Bounds, value);
        // An exact boundary belongs to its own bucket (le = less or equal); otherwise the complement is the next bound.
        PointFor(tags).Observe(value, bucket >= 0 ? bucket : ~bucket);
    }

    /// <summary>Forgets every series: observable instruments are re-observed on each scrape, so gone tags disappear.</summary>
    public void Clear() => _points.Clear();

    private MetricPoint PointFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = SeriesKey.From(tags);
        if (Kind == MetricKind.LastValue)
        {
            return Lookup(key);
        }
        if (_recent.Find(key) is { } recent)
        {
            return recent;
        }
        var point = Lookup(key);
        _recent.Remember(key, point);
        return point;
    }

    private MetricPoint Lookup(SeriesKey key) =>
        _points.TryGetValue(key, out var point)
            ? point
            : _points.GetOrAdd(key, static (key, buckets) => new MetricPoint(key, buckets), Bounds.Length + 1);
}
