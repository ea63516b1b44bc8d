using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Keyway.Telemetry.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4: HELP and TYPE per family, counters suffixed _total, histograms as
/// cumulative _bucket{le} series plus _sum and _count. Series are sorted so a scrape is stable to read and diff.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricStream> streams)
    {
        var text = new StringBuilder(4096);
        foreach (var stream in streams.OrderBy(stream => stream.Instrument.Name, StringComparer.Ordinal))
        {
            var counter = stream.Kind == MetricKind.Sum || stream.Instrument is ObservableCounter<long>;
            var name = stream.Instrument.Name + (counter ? "_total" : "");
            var type = stream.Kind == MetricKind.Histogram ? "histogram" : counter ? "counter" : "gauge";
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(stream.Instrument.Description ?? "")).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (key, point) in stream.Points.OrderBy(pair => Labels(pair.Key, null), StringComparer.Ordinal))
            {
                if (stream.Kind == MetricKind.Histogram)
                {
                    WriteHistogram(text, name, stream.Bounds, key, point);
                }
                else
                {
                    text.Append(name).Append(Labels(key, null)).Append(' ').Append(point.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }
        return text.ToString();
    }

    private static void WriteHistogram(StringBuilder text, string name, double[] bounds, SeriesKey key, MetricPoint point)
    {
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += point.Bucket(i);
            var le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            text.Append(name).Append("_bucket").Append(Labels(key, le)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        text.Append(name).Append("_sum").Append(Labels(key, null)).Append(' ').Append(point.Sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count").Append(Labels(key, null)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Labels(SeriesKey key, string? le)
    {
        var labels = key.Labels().Select(label => $"{label.Name}=\"{EscapeValue(label.Value)}\"");
        if (le is not null)
        {
            labels = labels.Append($"le=\"{le}\"");
        }
        var joined = string.Join(',', labels);
        return joined.Length == 0 ? "" : "{" + joined + "}";
    }

    private static string EscapeValue(string value) => value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");

    private static string EscapeHelp(string value) => value.Replace("\\", @"\\").Replace("\n", @"\n");
}
