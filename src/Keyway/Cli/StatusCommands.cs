using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>`keyway status` (is the gateway up, and how is it doing) and `keyway stop` (SIGTERM: the server flushes its logs and exits).</summary>
public static class StatusCommands
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(30);

    public static Command Status(CliContext context)
    {
        var command = new Command("status",
            "Is the gateway running: pid, address, uptime, version, requests logged in all and since its start (exit 3 when not)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            // /health needs no token: without one, or with one refused, the report still says whether the gateway runs.
            using var admin = new AdminClient(AdminConnection.ResolveTokenOptional(context, parse.Url(), parse.Token()));
            // The pid file tells of the gateway of this data dir only: asked about another URL, its pid and start time would be a stranger's.
            var state = ServerStateFile.ReadLive(context.DataDir) is { } local && local.Serves(admin.BaseUrl) ? local : null;
            var report = new JsonObject { ["running"] = false, ["pid"] = state?.ProcessId, ["address"] = admin.BaseUrl.ToString().TrimEnd('/') };
            try
            {
                var health = await admin.GetAsync("health", cancellationToken);
                report["running"] = true;
                report["version"] = health["version"]?.DeepClone();
                report["started_at"] = state?.StartedAt.ToString("O");
                report["uptime_seconds"] = state is null ? null : (long)(DateTimeOffset.UtcNow - state.StartedAt).TotalSeconds;
                await AddRequestCountsAsync(context, admin, state, report, cancellationToken);
            }
            catch (CliException e) when (e.ExitCode == CliExitCodes.Unreachable)
            {
                report["error"] = e.Message;
            }
            if (parse.Json())
            {
                CliOutput.WriteJson(context, report);
            }
            else
            {
                CliOutput.WriteFields(context, report);
            }
            return report["running"]!.GetValue<bool>() ? CliExitCodes.Ok : CliExitCodes.Unreachable;
        });
        return command;
    }

    /// <summary>
    /// The stats totals count every request-log row the database holds (every instance sharing it, rolled-up days
    /// included), so they are labelled as logged; the rows since the pid file's start time with its instance id are
    /// what this gateway's run has served. Both need the admin token, whose fate the report states.
    /// </summary>
    private static async Task AddRequestCountsAsync(
        CliContext context, AdminClient admin, ServerStateFile? state, JsonObject report, CancellationToken cancellationToken)
    {
        report["requests_logged"] = null;
        report["requests_since_start"] = null;
        if (!admin.HasToken)
        {
            report["admin_token"] = $"none: {AdminConnection.MissingTokenHint(context)}";
            return;
        }
        try
        {
            report["requests_logged"] = (await admin.GetAsync("admin/llm/stats", cancellationToken))["stats"]?["total"]?.DeepClone();
            if (state is not null)
            {
                // A pid file of an older version names no instance: its rows since the start are then all there is to count.
                var instance = state.InstanceId is { } id ? $"&instance_id={Uri.EscapeDataString(id)}" : "";
                var since = (await admin.GetAsync($"admin/llm/stats?since={state.StartedAt.ToUnixTimeMilliseconds()}{instance}", cancellationToken))["stats"];
                report["requests_since_start"] = since?["total"]?.DeepClone();
            }
            report["admin_token"] = "accepted";
        }
        catch (CliException e) when (e.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests)
        {
            report["admin_token"] = $"refused: {e.Message}";
        }
    }

    public static Command Stop(CliContext context)
    {
        var command = new Command("stop", "Stop the gateway of this data dir gracefully");
        command.SetAction(async (_, cancellationToken) =>
        {
            var state = ServerStateFile.ReadLive(context.DataDir)
                ?? throw new CliException($"no gateway runs for {context.DataDir}", CliExitCodes.Unreachable);
            if (Kill(state.ProcessId, SigTerm) != 0)
            {
                throw new CliException($"could not signal pid {state.ProcessId} (errno {Marshal.GetLastPInvokeError()})");
            }
            using var process = System.Diagnostics.Process.GetProcessById(state.ProcessId);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopWait);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new CliException($"pid {state.ProcessId} did not stop within {StopWait.TotalSeconds:0} s");
            }
            context.Out.WriteLine($"stopped pid {state.ProcessId}");
            return CliExitCodes.Ok;
        });
        return command;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
