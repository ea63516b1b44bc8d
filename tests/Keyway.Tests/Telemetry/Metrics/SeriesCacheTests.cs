using Keyway.Telemetry.Metrics;

namespace Keyway.Tests.Telemetry.Metrics;

/// <summary>
/// The cache a metric stream finds a series in by the very string instances it was recorded with, before the dictionary
/// hashes every tag: it must hold what real traffic records over and over (several aliases, providers and status
/// classes; five token kinds per alias and provider), and a series recorded with new instances of the same text (the
/// routing snapshot rebuilt after an admin write) must be found by those too.
/// </summary>
public sealed class SeriesCacheTests
{
    [Fact]
    public void RealisticTraffic_EverySeriesIsFoundAfterItsFirstRecord()
    {
        var cache = new SeriesCache();
        var series = (
            from alias in new[] { "claude-sonnet", "claude-haiku", "gpt-5", "deepseek-chat", "qwen-max", "glm-4.6" }
            from provider in new[] { "anthropic", "openrouter", "bedrock" }
            from status in new[] { "200", "429", "500", "502" }
            select Key(("alias", alias), ("provider", provider), ("status", status))).ToList();
        var points = series.Select((key, index) => new MetricPoint(key, 1)).ToList();

        for (var i = 0; i < series.Count; i++)
        {
            cache.Remember(series[i], points[i]);
        }

        Assert.All(Enumerable.Range(0, series.Count), i => Assert.Same(points[i], cache.Find(series[i])));
    }

    [Fact]
    public void SameTagsInNewStringInstances_AreFoundByThoseInstances_AsTheSameSeries()
    {
        var cache = new SeriesCache();
        var before = Key(("alias", new string("chat".AsSpan())), ("provider", new string("p1".AsSpan())));
        var rebuilt = Key(("alias", new string("chat".AsSpan())), ("provider", new string("p1".AsSpan())));
        var point = new MetricPoint(before, 1);

        cache.Remember(before, point);
        cache.Remember(rebuilt, point);

        Assert.Same(point, cache.Find(rebuilt));
        Assert.Same(point, cache.Find(before));
    }

    [Fact]
    public void EqualTextInOtherInstances_IsNotFound_TheDictionaryDecides()
    {
        var cache = new SeriesCache();
        var remembered = Key(("alias", new string("chat".AsSpan())));
        cache.Remember(remembered, new MetricPoint(remembered, 1));

        Assert.Null(cache.Find(Key(("alias", new string("chat".AsSpan())))));
    }

    private static SeriesKey Key(params (string Name, string Value)[] tags) =>
        SeriesKey.From([.. tags.Select(tag => new KeyValuePair<string, object?>(tag.Name, tag.Value))]);
}
