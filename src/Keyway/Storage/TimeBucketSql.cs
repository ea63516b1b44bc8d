namespace Keyway.Storage;

/// <summary>
/// The one place where the stats SQL differs by dialect: formatting request_logs.created_at (unix ms, UTC) as the
/// text of its day or hour.
/// </summary>
internal sealed class TimeBucketSql(string dialect)
{
    private readonly bool _postgres = dialect == PostgresConnectionFactory.DialectName;

    /// <summary>"2026-12-02".</summary>
    public string Day => Format("%Y-%m-%d", "YYYY-MM-DD");

    /// <summary>"2026-12-02T10:00:00Z".</summary>
    public string HourStart => Format("%Y-%m-%dT%H:00:00Z", "YYYY-MM-DD\"T\"HH24\":00:00Z\"");

    /// <summary>"2026-12-02T00:00:00Z".</summary>
    public string DayStart => Format("%Y-%m-%dT00:00:00Z", "YYYY-MM-DD\"T00:00:00Z\"");

    private string Format(string sqlite, string postgres) => _postgres
        ? $"to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', '{postgres}')"
        : $"strftime('{sqlite}', created_at / 1000, 'unixepoch')";
}
