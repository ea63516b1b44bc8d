using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli;

/// <summary>
/// `keyway e2e [--group G]`: one small real chat call per enabled route (POST /admin/llm/test), with a progress bar on stderr
/// and a result table; exit code 1 when any route failed, 4 when there was no enabled route to probe.
/// </summary>
public static class E2eCommand
{
    private static readonly string[] Columns = ["group_id", "alias", "provider_id", "upstream_model", "key", "ok", "status", "latency_ms", "message"];

    public static Command Build(CliContext context)
    {
        var group = new Option<string?>("--group", "-g") { Description = "Only the routes of this group" };
        var command = new Command("e2e", $"Probe every enabled route end to end; exit 1 if any failed, {CliExitCodes.NothingTested} if there was none to probe") { group };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var routes = await RoutesAsync(admin, parse.GetValue(group), cancellationToken);
            // The admin API's "PASS (0/0)" is the Python gateway's contract; here it would let `keyway e2e && deploy` pass having tested nothing.
            if (routes.Count == 0)
            {
                var why = parse.GetValue(group) is { } only ? $"group '{only}' has no enabled route" : "no group has an enabled route";
                throw new CliException($"nothing to test: {why}", CliExitCodes.NothingTested);
            }
            var results = new JsonArray();
            async Task ProbeAllAsync(ProgressTask? task)
            {
                foreach (var (groupId, route) in routes)
                {
                    if (task is not null)
                    {
                        task.Description = $"{groupId}/{route["alias"]}";
                    }
                    results.Add(await ProbeAsync(admin, groupId, route, cancellationToken));
                    task?.Increment(1);
                }
            }
            // The bar is for people, so it goes to stderr; under --json there is none, and stderr holds only a refusal.
            if (parse.Json())
            {
                await ProbeAllAsync(null);
            }
            else
            {
                await context.ErrorConsole.Progress().AutoClear(true)
                    .StartAsync(progress => ProbeAllAsync(progress.AddTask("probing routes", maxValue: routes.Count)));
            }
            var passed = results.Count(r => r?["ok"]?.GetValue<bool>() == true);
            var summary = $"{(passed == results.Count ? "PASS" : "FAIL")} ({passed}/{results.Count})";
            if (parse.Json())
            {
                CliOutput.WriteJson(context, new JsonObject { ["summary"] = summary, ["results"] = results });
            }
            else
            {
                CliOutput.WriteTable(context, results, Columns);
                context.Out.WriteLine(summary);
            }
            return passed == results.Count ? CliExitCodes.Ok : CliExitCodes.Failed;
        });
        return command;
    }

    /// <summary>POST /admin/llm/test of one route, as a row of the result table.</summary>
    private static async Task<JsonNode> ProbeAsync(AdminClient admin, string groupId, JsonNode route, CancellationToken cancellationToken)
    {
        var test = (await admin.PostAsync("admin/llm/test", new JsonObject { ["group_id"] = groupId, ["alias"] = route["alias"]?.DeepClone() }, cancellationToken))["test"]!;
        return new JsonObject
        {
            ["group_id"] = groupId,
            ["alias"] = route["alias"]?.DeepClone(),
            ["provider_id"] = (test["provider_id"] ?? route["provider_id"])?.DeepClone(),
            ["upstream_model"] = test["upstream_model"]?.DeepClone(),
            ["key"] = test["key"]?.DeepClone(),
            ["ok"] = test["ok"]?.DeepClone(),
            ["status"] = test["status"]?.DeepClone(),
            ["latency_ms"] = test["latency_ms"]?.DeepClone(),
            ["message"] = test["message"]?.DeepClone(),
        };
    }

    /// <summary>The enabled routes of <paramref name="onlyGroup"/> (a group the gateway does not have is its 404), else of every group.</summary>
    private static async Task<List<(string GroupId, JsonNode Route)>> RoutesAsync(AdminClient admin, string? onlyGroup, CancellationToken cancellationToken)
    {
        var groupIds = onlyGroup is not null
            ? [onlyGroup]
            : ((await admin.GetAsync("admin/llm/groups", cancellationToken))["groups"]?.AsArray() ?? []).Select(g => g?["group_id"]?.ToString()).OfType<string>();
        var routes = new List<(string, JsonNode)>();
        foreach (var groupId in groupIds)
        {
            var list = (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(groupId)}/routes", cancellationToken))["routes"]?.AsArray() ?? [];
            routes.AddRange(list.OfType<JsonNode>().Where(r => r["enabled"]?.GetValue<bool>() == true).Select(r => (groupId, r)));
        }
        return routes;
    }
}
