using Keyway.Storage;
using Keyway.Telemetry;

namespace Keyway.Gateway;

/// <summary>
/// What /health/ready and the admin health report: ready means the routing snapshot is loaded and the database
/// answers a query, and (scale-out) the shared configuration was refreshed recently (<see cref="ConfigurationFreshness"/>);
/// degraded means the gateway serves while background writes (the request log) do not get through.
/// At most one database probe runs at a time; a caller waits for it at most <see cref="ProbeTimeout"/>, and a probe stuck
/// on a lost connection is abandoned after <see cref="DatabaseExchange.Timeout"/>, so the next check probes anew.
/// </summary>
public sealed class GatewayReadiness(
    RoutingTableHolder routing, IDbConnectionFactory database, ConfigurationFreshness configuration, DatabaseWriteHealth writes,
    RequestLogQueue queue, RequestLogWriter writer, RequestLogStatus logStatus)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Task<string?>? _probe;

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        List<string> unavailable = [];
        if (!routing.Loaded)
        {
            unavailable.Add("the routing snapshot is not loaded");
        }
        if (await ProbeDatabaseAsync(cancellationToken) is { } databaseProblem)
        {
            unavailable.Add(databaseProblem);
        }
        if (configuration.Problem is { } staleConfiguration)
        {
            unavailable.Add(staleConfiguration);
        }
        List<string> reasons = [.. unavailable];
        if (writes.Problem is { } writeProblem)
        {
            reasons.Add(writeProblem);
        }
        var status = unavailable.Count > 0 ? "unavailable" : reasons.Count > 0 ? "degraded" : "ok";
        return new ReadinessReport(unavailable.Count == 0, status, reasons, queue.Depth + writer.Pending, logStatus.Dropped + logStatus.Failed);
    }

    private async Task<string?> ProbeDatabaseAsync(CancellationToken cancellationToken)
    {
        Task<string?> probe;
        lock (_gate)
        {
            if (_probe is null || _probe.IsCompleted)
            {
                _probe = Task.Run(QueryDatabaseAsync, CancellationToken.None);
            }
            probe = _probe;
        }
        try
        {
            return await probe.WaitAsync(ProbeTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return $"the database did not answer within {ProbeTimeout.TotalSeconds:0} s";
        }
    }

    private async Task<string?> QueryDatabaseAsync()
    {
        try
        {
            await DatabaseExchange.RunAsync(async bounded =>
            {
                await using var connection = await database.OpenAsync(bounded);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(bounded);
            }, CancellationToken.None);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"the database is unreachable: {e.Message}";
        }
    }
}
