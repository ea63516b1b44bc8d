using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway logs` (the request log, newest last, optionally followed) and `keyway stats --by alias|provider|group|day|key`.</summary>
public static class LogCommands
{
    private static readonly string[] LogColumns =
        ["log_id", "created_at", "group_id", "route_alias", "provider_id", "status_code", "input_tokens", "output_tokens", "latency_ms", "error"];

    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    public static Command Logs(CliContext context)
    {
        var tail = new Option<int>("--tail", "-n") { Description = "How many recent requests", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new requests until Ctrl+C" };
        var key = new Option<string?>("--key") { Description = "Only requests made with this issued key id" };
        var alias = new Option<string?>("--alias") { Description = "Only requests for this model alias" };
        var group = new Option<string?>("--group", "-g") { Description = "Only requests of this group" };
        var command = new Command("logs", "The request log") { tail, follow, key, alias, group };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var filter = Query(("api_key_id", parse.GetValue(key)), ("alias", parse.GetValue(alias)), ("group_id", parse.GetValue(group)));
            var rows = await PageAsync(admin, filter, parse.GetValue(tail), cancellationToken);
            Print(context, parse, rows, header: true);
            var last = rows.Count > 0 ? rows[^1]["log_id"]!.GetValue<long>() : 0;
            try
            {
                while (parse.GetValue(follow))
                {
                    await Task.Delay(FollowInterval, context.Time, cancellationToken);
                    var fresh = (await PageAsync(admin, filter, 500, cancellationToken)).Where(r => r["log_id"]!.GetValue<long>() > last).ToList();
                    Print(context, parse, fresh, header: false);
                    last = fresh.Count > 0 ? fresh[^1]["log_id"]!.GetValue<long>() : last;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C (or the caller's token) ends following, whether it came during the wait or a fetch.
            }
            return CliExitCodes.Ok;
        });
        return command;
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
                stats["by_key"] = await NameKeysAsync(admin, stats["by_key"]?.AsArray() ?? [], groupId, ct);
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
    private static async Task<JsonArray> NameKeysAsync(AdminClient admin, JsonArray byKey, string? groupId, CancellationToken cancellationToken)
    {
        var groups = groupId is not null
            ? [groupId]
            : ((await admin.GetAsync("admin/llm/groups", cancellationToken))["groups"]?.AsArray() ?? []).Select(g => g!["group_id"]!.ToString());
        var names = new Dictionary<string, string?>();
        foreach (var group in groups)
        {
            foreach (var key in (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(group)}/keys", cancellationToken))["keys"]?.AsArray() ?? [])
            {
                names[key!["key_id"]!.ToString()] = key["name"]?.ToString();
            }
        }
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

    private static async Task<List<JsonNode>> PageAsync(AdminClient admin, string filter, int limit, CancellationToken cancellationToken)
    {
        var separator = filter.Length == 0 ? "?" : "&";
        var page = await admin.GetAsync($"admin/llm/logs{filter}{separator}limit={Math.Clamp(limit, 1, 500)}", cancellationToken);
        // The API pages newest first; a terminal reads oldest first, like tail.
        return (page["logs"]?.AsArray() ?? []).OfType<JsonNode>().Reverse().ToList();
    }

    private static void Print(CliContext context, ParseResult parse, List<JsonNode> rows, bool header)
    {
        if (parse.Json())
        {
            rows.ForEach(row => context.Out.WriteLine(row.ToJsonString()));
        }
        else if (header)
        {
            CliOutput.WriteTable(context, rows, LogColumns);
        }
        else
        {
            rows.ForEach(row => context.Out.WriteLine(string.Join("  ", LogColumns.Select(column => CliOutput.Cell(row[column])))));
        }
    }

    public static string Query(params (string Name, string? Value)[] pairs)
    {
        var present = pairs.Where(pair => !string.IsNullOrEmpty(pair.Value)).Select(pair => $"{pair.Name}={Uri.EscapeDataString(pair.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join("&", present);
    }
}
