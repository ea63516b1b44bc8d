namespace Keyway.Storage;

/// <summary>
/// The roll-up's SQL where it differs by dialect: formatting request_logs.created_at (unix ms, UTC) as the text of its day.
/// </summary>
internal sealed class TimeBucketSql(string dialect)
{
    private readonly bool _postgres = dialect == PostgresConnectionFactory.DialectName;

    /// <summary>"2026-12-02".</summary>
    public string Day => Format("%Y-%m-%d", "YYYY-MM-DD");

    private string Format(string sqlite, string postgres) => _postgres
        ? $"to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', '{postgres}')"
        : $"strftime('{sqlite}', created_at / 1000, 'unixepoch')";
}
