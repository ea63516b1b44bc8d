using System.Globalization;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Tui;

/// <summary>Requests and errors of one hour bucket of /admin/llm/stats/series, all aliases together.</summary>
public sealed record DashboardHour(string Hour, long Requests, long Errors);

/// <summary>
/// A key that is resting (cooling or quarantined), one of the models a key is cooling for (state "cooling for MODEL"), or
/// a provider whose circuit is open.
/// </summary>
public sealed record RestingKey(string ProviderId, string Key, string State, string? Until, string? Reason);

/// <summary>
/// What the dashboard shows, read from the admin API's answers: totals (/stats), the last minute (/stats?since=),
/// the last hours (/stats/series), resting keys (/health), the newest requests (/logs) and the names of the issued keys
/// they were made with (<see cref="KeyNames"/>, by key id). No I/O here.
/// </summary>
public sealed record DashboardSnapshot(
    DateTimeOffset At,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    double MeanLatencyMs,
    long LastMinuteRequests,
    long LastMinuteErrors,
    IReadOnlyList<DashboardHour> Hours,
    IReadOnlyList<RestingKey> RestingKeys,
    IReadOnlyList<JsonNode> LastRequests,
    IReadOnlyDictionary<string, string> KeyNames)
{
    /// <summary>The window requests/s is averaged over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    public const int HoursShown = 12;
    public const int RequestsShown = 10;

    public double RequestsPerSecond => LastMinuteRequests / RateWindow.TotalSeconds;

    public static DashboardSnapshot From(
        DateTimeOffset at, JsonNode stats, JsonNode lastMinute, JsonNode series, JsonNode health, JsonNode logs, IReadOnlyDictionary<string, string> keyNames)
    {
        var totals = stats["stats"];
        var minute = lastMinute["stats"];
        var hours = (series["series"]?.AsArray() ?? []).OfType<JsonNode>()
            .GroupBy(point => point["time"]?.ToString() ?? "")
            .OrderBy(bucket => bucket.Key, StringComparer.Ordinal)
            .Select(bucket => new DashboardHour(HourOf(bucket.Key), bucket.Sum(p => Number(p["requests"])), bucket.Sum(p => Number(p["errors"]))))
            .TakeLast(HoursShown)
            .ToList();
        return new DashboardSnapshot(
            at,
            Number(totals?["total"]),
            Number(totals?["total"]) - Number(totals?["ok"]),
            Number(totals?["req_t"]),
            Number(totals?["resp_t"]),
            totals?["avg_latency"]?.GetValue<double>() ?? 0,
            Number(minute?["total"]),
            Number(minute?["total"]) - Number(minute?["ok"]),
            hours,
            Resting(health),
            Newest(logs),
            keyNames);
    }

    /// <summary>The newest requests of a /logs answer that the dashboard lists.</summary>
    public static List<JsonNode> Newest(JsonNode logs) => (logs["logs"]?.AsArray() ?? []).OfType<JsonNode>().Take(RequestsShown).ToList();

    /// <summary>Whether a request of /logs failed: its status is not 2xx, as the error counts of /stats have it.</summary>
    public static bool IsError(JsonNode row) => Number(row["status_code"]) is < 200 or > 299;

    private static List<RestingKey> Resting(JsonNode health)
    {
        var resting = new List<RestingKey>();
        foreach (var provider in (health["health"]?.AsArray() ?? []).OfType<JsonNode>())
        {
            var providerId = provider["provider_id"]?.ToString() ?? "";
            if (provider["circuit_open"]?.GetValue<bool>() == true)
            {
                resting.Add(new RestingKey(providerId, "(all: circuit open)", "open", provider["circuit_open_until"]?.ToString(), null));
            }
            foreach (var key in (provider["keys"]?.AsArray() ?? []).OfType<JsonNode>())
            {
                var name = key["name"]?.ToString() ?? "";
                var reason = key["quarantine_reason"]?.ToString() ?? key["last_error"]?.ToString();
                if (UpstreamKeyHealth.IsDown(key))
                {
                    resting.Add(new RestingKey(providerId, name, key["state"]!.ToString(), key["cooldown_until"]?.ToString(), reason));
                }
                resting.AddRange(UpstreamKeyHealth.CoolingModels(key).Select(cooling => new RestingKey(providerId, name, $"cooling for {cooling.Model}", cooling.Until, reason)));
            }
        }
        return resting;
    }

    private static string HourOf(string bucket) =>
        DateTimeOffset.TryParse(bucket, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime.ToString("HH:00", CultureInfo.InvariantCulture) : bucket;

    private static long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;
}
