using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// `keyway db migrate-to-postgres`: copies a SQLite installation into PostgreSQL table by table (configuration, keys,
/// key state, usage, request logs and their daily roll-up, stored Responses turns, admin sessions), parents before
/// children. The target is migrated first; each row is inserted with ON CONFLICT DO NOTHING on its key, so a second run
/// copies nothing twice. Sealed secrets are copied as they are: the instances on PostgreSQL must run with the same
/// KEYWAY_SECRET. The tables of <see cref="Skipped"/> hold only what the SQLite process itself was doing; every other
/// table of the schema is copied (a test holds the two lists to the migrations).
/// </summary>
public sealed class DatabaseCopier(IDbConnectionFactory source, PostgresConnectionFactory target)
{
    /// <summary>The tables in copy order, with their conflict key.</summary>
    private static readonly (string Table, string Key)[] Tables =
    [
        ("meta", "key"),
        ("groups", "group_id"),
        ("providers", "provider_id"),
        ("provider_keys", "key_id"),
        ("routes", "route_id"),
        ("route_providers", "rp_id"),
        ("group_unified_models", "group_id"),
        ("api_keys", "key_id"),
        ("tool_providers", "tool_id"),
        ("key_health", "key_id"),
        ("key_usage", "key_id, day, instance_id"),
        ("request_logs", "log_id"),
        ("request_log_days", "day, group_id, route_alias, provider_id, api_key_id, visitor"),
        ("stored_responses", "response_id"),
        ("admin_sessions", "session_hash"),
    ];

    /// <summary>The tables not copied, each with why: state of the SQLite process, which the PostgreSQL instances start anew.</summary>
    public static readonly IReadOnlyList<(string Table, string Reason)> Skipped =
    [
        ("key_rate_windows", "rpm/tpm windows and requests in flight of the SQLite process (at most a minute old, keyed by its instance id); the instances count their own"),
        ("key_probe_claims", "which PostgreSQL instance probes a quarantined key next; SQLite never writes it, and the quarantine itself is in key_health, which is copied"),
        ("request_log_writers", "the SQLite log writer's place for retrying its last batch; PostgreSQL writers keep their own"),
    ];

    /// <summary>The tables of the schema that are neither copied nor skipped: the migration runner's own bookkeeping.</summary>
    public static readonly IReadOnlyList<string> NotData = ["schema_version", "sqlite_sequence"];

    /// <summary>The tables copied, in copy order.</summary>
    public static IEnumerable<string> CopiedTables => Tables.Select(table => table.Table);

    public sealed record SkippedTable(string Table, long Rows, string Reason);

    public sealed record CopyReport(IReadOnlyList<TableCount> Copied, IReadOnlyList<SkippedTable> Skipped);

    public sealed record TableCount(string Table, long SourceRows, long Copied);

    public async Task<CopyReport> CopyAsync(CancellationToken cancellationToken)
    {
        await new MigrationRunner(target).ApplyAsync(cancellationToken);
        await using var from = await source.OpenAsync(cancellationToken);
        await using var to = await target.OpenAsync(cancellationToken);
        var present = (await from.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table'", new { cancellationToken })).ToHashSet(StringComparer.Ordinal);
        var counts = new List<TableCount>();
        foreach (var (table, key) in Tables.Where(t => present.Contains(t.Table)))
        {
            counts.Add(await CopyTableAsync(from, to, table, key, cancellationToken));
        }
        // Rows copied with their own log_id: the identity must continue after the highest one.
        await to.ExecuteAsync(
            "SELECT setval(pg_get_serial_sequence('request_logs', 'log_id'), GREATEST((SELECT MAX(log_id) FROM request_logs), 1))",
            new { cancellationToken });
        var skipped = new List<SkippedTable>();
        foreach (var (table, reason) in Skipped.Where(t => present.Contains(t.Table)))
        {
            await using var count = from.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            skipped.Add(new SkippedTable(table, Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture), reason));
        }
        return new CopyReport(counts, skipped);
    }

    private static async Task<TableCount> CopyTableAsync(DbConnection from, DbConnection to, string table, string key, CancellationToken cancellationToken)
    {
        var targetColumns = (await to.QueryAsync<string>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table",
            new { table, cancellationToken })).ToHashSet(StringComparer.Ordinal);
        await using var read = from.CreateCommand();
        read.CommandText = $"SELECT * FROM {table}";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).Where(targetColumns.Contains).ToList();
        var ordinals = columns.Select(reader.GetOrdinal).ToList();
        await using var transaction = await to.BeginTransactionAsync(cancellationToken);
        await using var insert = to.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))}) " +
            $"ON CONFLICT ({key}) DO NOTHING";
        for (var i = 0; i < columns.Count; i++)
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = "p" + i;
            insert.Parameters.Add(parameter);
        }
        long rows = 0, copied = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < ordinals.Count; i++)
            {
                insert.Parameters[i].Value = reader.GetValue(ordinals[i]);
            }
            copied += await insert.ExecuteNonQueryAsync(cancellationToken);
            rows++;
        }
        await transaction.CommitAsync(cancellationToken);
        return new TableCount(table, rows, copied);
    }
}
