using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>route_providers: the fallback targets of a route (later Keyway releases' shape).</summary>
public sealed class RouteProviderRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "rp_id AS RpId, route_id AS RouteId, provider_id AS ProviderId, upstream_model AS UpstreamModel, priority AS Priority, " +
        "enabled AS Enabled, created_at AS CreatedAt";

    // Constant SQL: Dapper.AOT generates its parameter binding at build time.
    private const string Select = $"SELECT {Columns} FROM route_providers WHERE ";

    private const string OrderBy = " ORDER BY route_id, priority, created_at, rp_id";

    public Task<IReadOnlyList<RouteProviderRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync(connection => connection.QueryAsync<Row>(Select + "1 = 1" + OrderBy, new { cancellationToken }), cancellationToken);

    /// <summary>The route's targets, priority order (lower first), then oldest first.</summary>
    public Task<IReadOnlyList<RouteProviderRecord>> ListByRouteAsync(string routeId, CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<Row>(
                Select + "route_id = @routeId" + OrderBy, new { routeId, cancellationToken }),
            cancellationToken);

    public async Task<RouteProviderRecord?> GetAsync(string rpId, CancellationToken cancellationToken) =>
        (await QueryAsync(
            connection => connection.QueryAsync<Row>(
                Select + "rp_id = @rpId" + OrderBy, new { rpId, cancellationToken }),
            cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The route already lists this provider.</exception>
    public async Task CreateAsync(RouteProviderRecord target, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, null, target, cancellationToken));
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, RouteProviderRecord target, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO route_providers (rp_id, route_id, provider_id, upstream_model, priority, enabled, created_at) " +
            "VALUES (@RpId, @RouteId, @ProviderId, @UpstreamModel, @Priority, @Enabled, @CreatedAt)",
            Parameters(target, cancellationToken), transaction);

    public async Task<bool> UpdateAsync(RouteProviderRecord target, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE route_providers SET upstream_model = @UpstreamModel, priority = @Priority, enabled = @Enabled WHERE rp_id = @RpId",
            Parameters(target, cancellationToken)) > 0;
    }

    public async Task<bool> DeleteAsync(string rpId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM route_providers WHERE rp_id = @rpId", new { rpId, cancellationToken }) > 0;
    }

    private static TargetArgs Parameters(RouteProviderRecord target, CancellationToken cancellationToken) => new(
        target.RpId, target.RouteId, target.ProviderId, target.UpstreamModel, target.Priority, StorageText.Flag(target.Enabled),
        StorageText.Timestamp(target.CreatedAt), cancellationToken);

    private async Task<IReadOnlyList<RouteProviderRecord>> QueryAsync(
        Func<DbConnection, Task<IEnumerable<Row>>> query, CancellationToken cancellationToken) =>
        await connections.ReadAllAsync(query, row => row.ToRecord(), cancellationToken);

    internal sealed class Row
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

    /// <summary>The target's columns as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record TargetArgs(
        string RpId, string RouteId, string ProviderId, string UpstreamModel, int Priority, long Enabled, string CreatedAt,
        CancellationToken CancellationToken);
}
