using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>route_providers: the fallback targets of a route (later Keyway releases' shape).</summary>
public sealed class RouteProviderRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "rp_id AS RpId, route_id AS RouteId, provider_id AS ProviderId, upstream_model AS UpstreamModel, priority AS Priority, " +
        "enabled AS Enabled, created_at AS CreatedAt";

    public Task<IReadOnlyList<RouteProviderRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync("1 = 1", null, cancellationToken);

    /// <summary>The route's targets, priority order (lower first), then oldest first.</summary>
    public Task<IReadOnlyList<RouteProviderRecord>> ListByRouteAsync(string routeId, CancellationToken cancellationToken) =>
        QueryAsync("route_id = @routeId", new { routeId }, cancellationToken);

    public async Task<RouteProviderRecord?> GetAsync(string rpId, CancellationToken cancellationToken) =>
        (await QueryAsync("rp_id = @rpId", new { rpId }, cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The route already lists this provider.</exception>
    public async Task CreateAsync(RouteProviderRecord target, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, null, target, cancellationToken));
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, RouteProviderRecord target, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO route_providers (rp_id, route_id, provider_id, upstream_model, priority, enabled, created_at) " +
            "VALUES (@RpId, @RouteId, @ProviderId, @UpstreamModel, @Priority, @Enabled, @CreatedAt)",
            Parameters(target), transaction, cancellationToken: cancellationToken));

    public async Task<bool> UpdateAsync(RouteProviderRecord target, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE route_providers SET upstream_model = @UpstreamModel, priority = @Priority, enabled = @Enabled WHERE rp_id = @RpId",
            Parameters(target), cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> DeleteAsync(string rpId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM route_providers WHERE rp_id = @rpId", new { rpId }, cancellationToken: cancellationToken)) > 0;
    }

    private static object Parameters(RouteProviderRecord target) => new
    {
        target.RpId,
        target.RouteId,
        target.ProviderId,
        target.UpstreamModel,
        target.Priority,
        Enabled = StorageText.Flag(target.Enabled),
        CreatedAt = StorageText.Timestamp(target.CreatedAt),
    };

    private async Task<IReadOnlyList<RouteProviderRecord>> QueryAsync(string where, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM route_providers WHERE {where} ORDER BY route_id, priority, created_at, rp_id", parameters,
            cancellationToken: cancellationToken));
        return rows.Select(row => row.ToRecord()).ToList();
    }

    private sealed class Row
    {
        public string RpId { get; set; } = "";
        public string RouteId { get; set; } = "";
        public string ProviderId { get; set; } = "";
        public string UpstreamModel { get; set; } = "";
        public long Priority { get; set; }
        public long Enabled { get; set; }
        public string CreatedAt { get; set; } = "";

        public RouteProviderRecord ToRecord() =>
            new(RpId, RouteId, ProviderId, UpstreamModel, (int)Priority, Enabled != 0, StorageText.ParseTimestamp(CreatedAt));
    }
}
