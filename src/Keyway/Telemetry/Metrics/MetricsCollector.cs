using System.Diagnostics.Metrics;

namespace Keyway.Telemetry.Metrics;

/// <summary>
/// Listens to the instruments of <see cref="KeywayMetrics.Meter"/> and keeps their series in memory for the
/// Prometheus exposition. A measurement costs a struct-keyed dictionary read and an Interlocked update; observable
/// instruments are only read on a scrape.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<MetricStream> _streams = [];
    private readonly Lock _scrapeGate = new();

    public MetricsCollector(KeywayMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                var stream = StreamFor(instrument);
                lock (_streams)
                {
                    _streams.Add(stream);
                }
                listener.EnableMeasurementEvents(instrument, stream);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every series in the Prometheus text format (0.0.4).</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            MetricStream[] streams;
            lock (_streams)
            {
                streams = [.. _streams];
            }
            foreach (var stream in streams.Where(stream => stream.Kind == MetricKind.LastValue))
            {
                stream.Clear();
            }
            _listener.RecordObservableInstruments();
            return PrometheusText.Write(streams);
        }
    }

    public void Dispose() => _listener.Dispose();

    private static MetricStream StreamFor(Instrument instrument) => instrument switch
    {
        Histogram<double> histogram => new MetricStream(instrument, MetricKind.Histogram, [.. histogram.Advice?.HistogramBucketBoundaries ?? []]),
        Counter<long> or Counter<int> => new MetricStream(instrument, MetricKind.Sum, []),
        _ when instrument.IsObservable => new MetricStream(instrument, MetricKind.LastValue, []),
        _ => throw new NotSupportedException($"Metric instrument {instrument.Name} ({instrument.GetType().Name}) has no exposition."),
    };
}
