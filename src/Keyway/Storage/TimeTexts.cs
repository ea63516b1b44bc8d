using System.Globalization;

namespace Keyway.Storage;

/// <summary>
/// The day and hour texts of request_logs.created_at (unix ms, UTC), as SQLite's strftime and PostgreSQL's to_char give
/// them (<see cref="TimeBucketSql"/>, the roll-up's days), made once per day or hour seen instead of once per row.
/// </summary>
internal sealed class TimeTexts
{
    /// <summary>What follows a day to make its start: "2026-12-02" + this = "2026-12-02T00:00:00Z".</summary>
    public const string MidnightSuffix = "T00:00:00Z";

    private const long SecondsADay = 86_400;
    private const long SecondsAnHour = 3_600;

    private readonly Dictionary<long, string> _days = [];
    private readonly Dictionary<long, string> _dayStarts = [];
    private readonly Dictionary<long, string> _hourStarts = [];

    /// <summary>"2026-12-02".</summary>
    public string Day(long createdAt) => Text(_days, createdAt, SecondsADay, "yyyy-MM-dd");

    /// <summary>"2026-12-02T00:00:00Z".</summary>
    public string DayStart(long createdAt) => Text(_dayStarts, createdAt, SecondsADay, "yyyy-MM-dd'" + MidnightSuffix + "'");

    /// <summary>"2026-12-02T10:00:00Z".</summary>
    public string HourStart(long createdAt) => Text(_hourStarts, createdAt, SecondsAnHour, "yyyy-MM-dd'T'HH':00:00Z'");

    /// <summary>
    /// strftime(…, created_at / 1000, 'unixepoch'): whole seconds by SQLite's integer division (toward zero), then the
    /// day or hour by flooring, as the calendar does.
    /// </summary>
    private static string Text(Dictionary<long, string> texts, long createdAt, long unitSeconds, string format)
    {
        var seconds = createdAt / 1000;
        var unit = seconds / unitSeconds - (seconds % unitSeconds < 0 ? 1 : 0);
        if (!texts.TryGetValue(unit, out var text))
        {
            text = DateTimeOffset.UnixEpoch.AddSeconds(unit * unitSeconds).ToString(format, CultureInfo.InvariantCulture);
            texts[unit] = text;
        }
        return text;
    }
}
