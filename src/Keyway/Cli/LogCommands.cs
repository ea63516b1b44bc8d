using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway logs` (the request log, newest last, optionally followed) and `keyway stats --by alias|provider|group|day|key`.</summary>
public static class LogCommands
{
    private static readonly string[] LogColumns =
        ["log_id", "created_at", "group_id", "key", "route_alias", "provider_id", "status_code", "input_tokens", "output_tokens", "latency_ms", "error"];

    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    /// <summary>The admin API's largest page of the request log.</summary>
    private const int MaxPage = 500;

    public static Command Logs(CliContext context)
    {
        var tail = new Option<int>("--tail", "-n") { Description = "How many recent requests", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new requests until Ctrl+C" };
        var key = new Option<string?>("--key") { Description = "Only requests made with this issued key: its key id, or its name in --group" };
        var alias = new Option<string?>("--alias") { Description = "Only requests for this model alias" };
        var group = new Option<string?>("--group", "-g") { Description = "Only requests of this group; --key looks names up in it (default: default)" };
        var command = new Command("logs", "The request log") { tail, follow, key, alias, group };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var reference = parse.GetValue(key);
            var keyGroup = parse.GetValue(group) ?? "default";
            var keyId = reference is null ? null : await ItemArgument.IssuedKeyIdAsync(admin, keyGroup, reference, cancellationToken);
            if (reference is not null && keyId is null)
            {
                await RequireKeyIdAsync(admin, keyGroup, reference, cancellationToken);
            }
            var filter = Query(("api_key_id", keyId ?? reference), ("alias", parse.GetValue(alias)), ("group_id", parse.GetValue(group)));
            var rows = await PageAsync(admin, filter, parse.GetValue(tail), before: null, cancellationToken);
            var keyNames = new IssuedKeyNames(parse.GetValue(group));
            await PrintAsync(context, parse, admin, keyNames, rows, header: true, cancellationToken);
            if (parse.GetValue(follow))
            {
                await FollowAsync(context, parse, admin, keyNames, filter, rows.Count > 0 ? LogId(rows[^1]) : 0, cancellationToken);
            }
            return CliExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// A --key that no key of the group has as its id or name is taken as a key id: of a key of another group, or of a
    /// revoked key whose requests stay logged. One that is neither (a mistyped name) is refused, as `route remove` refuses
    /// an unknown alias, instead of printing an empty log.
    /// </summary>
    private static async Task RequireKeyIdAsync(AdminClient admin, string group, string reference, CancellationToken cancellationToken)
    {
        try
        {
            await admin.GetAsync($"admin/llm/keys/{Uri.EscapeDataString(reference)}", cancellationToken);
        }
        catch (CliException notFound) when (notFound.Status == HttpStatusCode.NotFound)
        {
            if ((await PageAsync(admin, Query(("api_key_id", reference)), 1, before: null, cancellationToken)).Count == 0)
            {
                throw new CliException($"no key '{reference}' in group '{group}', and no key or logged request has that id");
            }
        }
    }

    /// <summary>
    /// Prints the rows logged after <paramref name="last"/> every second until cancelled (Ctrl+C). While the gateway does
    /// not answer (a restart, an upgrade) it says so once on stderr and keeps polling, as the TUI's dashboard does, then
    /// prints everything logged in between.
    /// </summary>
    private static async Task FollowAsync(
        CliContext context, ParseResult parse, AdminClient admin, IssuedKeyNames keyNames, string filter, long last, CancellationToken cancellationToken)
    {
        var waiting = false;
        try
        {
            while (true)
            {
                await Task.Delay(FollowInterval, context.Time, cancellationToken);
                List<JsonNode> fresh;
                try
                {
                    fresh = await RowsAfterAsync(admin, filter, last, cancellationToken);
                }
                catch (CliException unreachable) when (unreachable.ExitCode == CliExitCodes.Unreachable)
                {
                    if (!waiting)
                    {
                        context.Error.WriteLine($"keyway: {unreachable.Message}; following again once it answers (Ctrl+C stops)");
                    }
                    waiting = true;
                    continue;
                }
                if (waiting)
                {
                    context.Error.WriteLine("keyway: the gateway answers again");
                    waiting = false;
                }
                await PrintAsync(context, parse, admin, keyNames, fresh, header: false, cancellationToken);
                last = fresh.Count > 0 ? LogId(fresh[^1]) : last;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C (or the caller's token) ends following, whether it came during the wait or a fetch.
        }
    }

    /// <summary>
    /// Every row logged after <paramref name="last"/>, oldest first: pages back from the newest until a page reaches
    /// <paramref name="last"/>, since a busy gateway logs more than one page (500 rows) between two polls.
    /// </summary>
    private static async Task<List<JsonNode>> RowsAfterAsync(AdminClient admin, string filter, long last, CancellationToken cancellationToken)
    {
        var rows = new List<JsonNode>();
        long? before = null;
        while (true)
        {
            var page = await PageAsync(admin, filter, MaxPage, before, cancellationToken);
            var newer = page.Where(row => LogId(row) > last).ToList();
            rows.InsertRange(0, newer);
            if (newer.Count < MaxPage)
            {
                return rows;
            }
            before = LogId(page[0]);
        }
    }

    public static Command Stats(CliContext context)
    {
        var by = new Option<string>("--by") { Description = "Breakdown: alias, provider, group, day, key or visitor", DefaultValueFactory = _ => "alias" };
        by.AcceptOnlyFromAmong("alias", "provider", "group", "day", "key", "visitor");
        var group = new Option<string?>("--group", "-g") { Description = "Only this group (and, with --by key, its keys)" };
        var command = new Command("stats", "Request counts, errors, tokens and latency") { by, group };
        return command.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var groupId = parse.GetValue(group);
            var stats = await admin.GetAsync("admin/llm/stats" + Query(("group_id", groupId)), ct);
            if (parse.GetValue(by) == "key")
            {
                stats["by_key"] = await NameKeysAsync(admin, stats["by_key"]?.AsArray() ?? [], new IssuedKeyNames(groupId), ct);
            }
            stats["by"] = parse.GetValue(by);
            return stats;
        }, (output, stats) =>
        {
            var totals = stats["stats"];
            output.Out.WriteLine($"requests {totals?["total"]}, ok {totals?["ok"]}, input tokens {totals?["req_t"]}, output tokens {totals?["resp_t"]}, mean latency {CliOutput.Cell(totals?["avg_latency"])} ms");
            var dimension = stats["by"]!.ToString();
            string[] figures = ["requests", "errors", "input_tokens", "output_tokens", "latency_p50_ms", "latency_p95_ms"];
            string[] keyColumns = dimension switch
            {
                "alias" => ["group_id", "route_alias"],
                "provider" => ["provider_id"],
                "group" => ["group_id"],
                "day" => ["day"],
                "visitor" => ["visitor"],
                _ => ["key_id", "name"],
            };
            CliOutput.WriteTable(output, stats[$"by_{dimension}"]?.AsArray() ?? [], [.. keyColumns, .. figures]);
        });
    }

    /// <summary>
    /// The admin API's own by_key (every group's keys, or the one of --group) with each key's name next to its id, for
    /// the table; a deleted key has no name.
    /// </summary>
    private static async Task<JsonArray> NameKeysAsync(AdminClient admin, JsonArray byKey, IssuedKeyNames keyNames, CancellationToken cancellationToken)
    {
        var names = await keyNames.ForAsync(admin, byKey.Select(bucket => bucket?["api_key_id"]?.ToString()), cancellationToken);
        var rows = new JsonArray();
        foreach (var bucket in byKey.OfType<JsonObject>())
        {
            var keyId = bucket["api_key_id"]?.ToString() ?? "";
            var row = new JsonObject { ["key_id"] = keyId, ["name"] = names.GetValueOrDefault(keyId) };
            foreach (var (name, value) in bucket.Where(pair => pair.Key != "api_key_id"))
            {
                row[name] = value?.DeepClone();
            }
            rows.Add((JsonNode)row);
        }
        return rows;
    }

    /// <summary>Up to <paramref name="limit"/> rows logged before log id <paramref name="before"/> (or the newest), oldest first.</summary>
    private static async Task<List<JsonNode>> PageAsync(AdminClient admin, string filter, int limit, long? before, CancellationToken cancellationToken)
    {
        var separator = filter.Length == 0 ? "?" : "&";
        var cursor = before is null ? "" : $"&before={before}";
        var page = await admin.GetAsync($"admin/llm/logs{filter}{separator}limit={Math.Clamp(limit, 1, MaxPage)}{cursor}", cancellationToken);
        // The API pages newest first; a terminal reads oldest first, like tail.
        return (page["logs"]?.AsArray() ?? []).OfType<JsonNode>().Reverse().ToList();
    }

    private static long LogId(JsonNode row) => row["log_id"]!.GetValue<long>();

    /// <summary>
    /// JSON lines as the admin API has the rows; for people, a table (or its rows, when following) with a "key" column
    /// naming the issued key each request was made with, which the rows carry as a key id alone.
    /// </summary>
    private static async Task PrintAsync(
        CliContext context, ParseResult parse, AdminClient admin, IssuedKeyNames keyNames, List<JsonNode> rows, bool header, CancellationToken cancellationToken)
    {
        if (parse.Json())
        {
            rows.ForEach(row => context.Out.WriteLine(row.ToJsonString()));
            return;
        }
        var names = await keyNames.ForAsync(admin, rows.Select(row => row["api_key_id"]?.ToString()), cancellationToken);
        var named = rows.Select(row =>
        {
            var copy = row.DeepClone();
            copy["key"] = IssuedKeyNames.Of(row, names);
            return copy;
        }).ToList();
        if (header)
        {
            CliOutput.WriteTable(context, named, LogColumns);
        }
        else
        {
            named.ForEach(row => context.Out.WriteLine(string.Join("  ", LogColumns.Select(column => CliOutput.Cell(row[column])))));
        }
    }

    public static string Query(params (string Name, string? Value)[] pairs)
    {
        var present = pairs.Where(pair => !string.IsNullOrEmpty(pair.Value)).Select(pair => $"{pair.Name}={Uri.EscapeDataString(pair.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join("&", present);
    }
}
