using System.Diagnostics;
using System.Globalization;
using Keyway.Storage;

// Times what /admin/llm/stats (totals and six breakdowns) and /admin/llm/stats/series (hour and day points, each with
// the by-key breakdown) ask RequestLogStatsRepository, on a SQLite file seeded with a realistic request log, and writes
// every answer to a file to diff before and after a change. The database is a SQLite file, or PostgreSQL when given as
// a connection string ("Host=…"; seed it into an empty schema). Usage (bench/RESULTS.md):
//   dotnet run -c Release --project bench/stats -- seed /tmp/stats-1m.db 1000000
//   dotnet run -c Release --project bench/stats -- time /tmp/stats-1m.db 3 /tmp/stats-1m.answers
var command = args.Length > 0 ? args[0] : "";
if (command == "seed" && args.Length == 3)
{
    await SeedAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}
else if (command == "time" && args.Length == 4)
{
    await TimeAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
}
else
{
    Console.Error.WriteLine("usage: seed <db> <rows> | time <db> <rounds> <answers file>");
    return 2;
}
return 0;

// The raw rows span the 7 days before End; the roll-up (request_log_days) holds the 2 days before them, as if pruned.
static async Task SeedAsync(string database, int rows)
{
    var connections = Open(database);
    if (connections is SqliteConnectionFactory)
    {
        File.Delete(database);
    }
    await new MigrationRunner(connections).ApplyAsync(CancellationToken.None);
    await using var connection = await connections.OpenAsync(CancellationToken.None);
    await Execute(connection, "BEGIN");
    await using var insert = connection.CreateCommand();
    insert.CommandText =
        "INSERT INTO request_logs (created_at, group_id, api_key_id, route_alias, provider_id, endpoint, client_protocol, " +
        "status_code, latency_ms, ttfb_ms, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, " +
        "reasoning_tokens, visitor) VALUES (@p1, @p2, @p3, @p4, @p5, '/v1/chat/completions', 'openai', @p6, @p7, @p8, @p9, " +
        "@p10, @p11, @p12, @p13, @p14)";
    var parameters = Enumerable.Range(1, 14).Select(i =>
    {
        var parameter = insert.CreateParameter();
        parameter.ParameterName = "p" + i;
        // A type of its own: Npgsql would otherwise take it from the first value and fail on a later NULL or number.
        parameter.DbType = i is >= 2 and <= 5 ? System.Data.DbType.String : System.Data.DbType.Int64;
        insert.Parameters.Add(parameter);
        return parameter;
    }).ToArray();
    var random = new Random(17);
    var start = End.AddDays(-7).ToUnixTimeMilliseconds();
    var span = End.ToUnixTimeMilliseconds() - start;
    for (var i = 0; i < rows; i++)
    {
        var group = random.Next(5);
        var failed = random.Next(17) == 0;
        var latency = 5 + random.Next(3000);
        object?[] values =
        [
            start + (long)(random.NextDouble() * span),
            $"group-{group}",
            random.Next(10) == 0 ? null : $"key-{random.Next(30)}",
            random.Next(100) == 0 ? null : $"alias-{group * 4 + random.Next(4)}",
            failed && random.Next(4) == 0 ? null : $"provider-{random.Next(8)}",
            failed ? (random.Next(2) == 0 ? 429 : 502) : 200,
            latency,
            random.Next(4) == 0 ? null : random.Next(1, latency + 1),
            failed ? null : random.Next(10, 20_000),
            failed ? null : random.Next(1, 2_000),
            random.Next(3) == 0 ? random.Next(0, 10_000) : null,
            random.Next(10) == 0 ? random.Next(0, 5_000) : null,
            random.Next(5) == 0 ? random.Next(0, 1_000) : null,
            random.Next(20) == 0 ? 1 : 0,
        ];
        for (var p = 0; p < values.Length; p++)
        {
            parameters[p].Value = values[p] switch { null => DBNull.Value, int number => (long)number, var value => value };
        }
        await insert.ExecuteNonQueryAsync();
    }
    for (var day = 1; day <= 2; day++)
    {
        var text = End.AddDays(-7 - day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var group = 0; group < 5; group++)
        {
            for (var alias = 0; alias < 4; alias++)
            {
                for (var key = -1; key < 30; key += 3)
                {
                    var requests = random.Next(1, 500);
                    await Execute(connection,
                        "INSERT INTO request_log_days VALUES (" +
                        $"'{text}', 'group-{group}', 'alias-{group * 4 + alias}', 'provider-{(group + alias) % 8}', " +
                        $"'{(key < 0 ? "" : $"key-{key}")}', {key % 2 & 1}, {requests}, {requests / 17}, {requests * 900}, " +
                        $"{requests * 100}, {requests * 10}, {requests}, {requests * 3}, {requests * 1500})");
                }
            }
        }
    }
    await Execute(connection, "COMMIT");
    await Execute(connection, "ANALYZE");
    Console.WriteLine($"seeded {rows:N0} rows into {database}");
}

static async Task TimeAsync(string database, int rounds, string answersPath)
{
    var stats = new RequestLogStatsRepository(Open(database));
    var window = new RequestLogFilter { Since = End.AddDays(-9), Until = End };
    RequestLogStatsDimension[] breakdowns =
    [
        RequestLogStatsDimension.Group, RequestLogStatsDimension.Alias, RequestLogStatsDimension.Provider,
        RequestLogStatsDimension.Day, RequestLogStatsDimension.Key, RequestLogStatsDimension.Visitor,
    ];
    var answers = new List<string>();
    for (var round = 1; round <= rounds; round++)
    {
        answers.Clear();
        var clock = Stopwatch.StartNew();
        answers.Add((await stats.GetTotalsAsync(window, CancellationToken.None)).ToString());
        var statsBuckets = await stats.GetBreakdownsAsync(breakdowns, window, CancellationToken.None);
        for (var i = 0; i < breakdowns.Length; i++)
        {
            answers.Add(breakdowns[i].ToString());
            answers.AddRange(statsBuckets[i].Select(b => b.ToString()));
        }
        var statsCall = clock.Elapsed;
        clock.Restart();
        foreach (var points in (RequestLogStatsDimension[])[RequestLogStatsDimension.HourAndAlias, RequestLogStatsDimension.DayAndAlias])
        {
            var series = await stats.GetBreakdownsAsync([points, RequestLogStatsDimension.Key], window, CancellationToken.None);
            answers.Add(points.ToString());
            answers.AddRange(series.SelectMany(buckets => buckets).Select(b => b.ToString()));
        }
        var seriesCalls = clock.Elapsed;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(
            $"round {round}: stats {statsCall.TotalSeconds:F2} s, series hour + day {seriesCalls.TotalSeconds:F2} s, " +
            $"CPU so far {process.TotalProcessorTime.TotalSeconds:F1} s, peak RSS {process.PeakWorkingSet64 / 1024 / 1024} MB, " +
            $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }
    await File.WriteAllLinesAsync(answersPath, answers);
}

static IDbConnectionFactory Open(string database) =>
    database.StartsWith("Host=", StringComparison.Ordinal) ? new PostgresConnectionFactory(database) : new SqliteConnectionFactory(database);

static async Task Execute(System.Data.Common.DbConnection connection, string sql)
{
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}

internal static partial class Program
{
    private static readonly DateTimeOffset End = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
}
