using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Keyway.Tests.Operations;

/// <summary>One /metrics answer, parsed: each sample line's series (name plus labels, as written) to its value.</summary>
internal sealed class PrometheusScrape
{
    private readonly Dictionary<string, double> _samples;

    private PrometheusScrape(string text, Dictionary<string, double> samples)
    {
        Text = text;
        _samples = samples;
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> GetAsync(HttpClient client, string url = "metrics")
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} → {(int)response.StatusCode}: {text}");
        Assert.Equal(MediaTypeHeaderValue.Parse("text/plain; version=0.0.4; charset=utf-8"), response.Content.Headers.ContentType);
        return Parse(text);
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')))
        {
            var space = line.LastIndexOf(' ');
            Assert.True(samples.TryAdd(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)), $"series twice: {line}");
        }
        return new PrometheusScrape(text, samples);
    }

    /// <summary>The value of one series, e.g. <c>keyway_requests_total{alias="a",provider="p",status="200"}</c>; fails when absent.</summary>
    public double this[string series] => _samples.TryGetValue(series, out var value)
        ? value
        : throw new Xunit.Sdk.XunitException($"no series {series} in:\n{Text}");

    public bool Has(string series) => _samples.ContainsKey(series);
}
