using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>group_unified_models: at most one unified alias per group.</summary>
public sealed class UnifiedModelRepository(IDbConnectionFactory connections)
{
    private const string Columns = "group_id AS GroupId, alias AS Alias, route_id AS RouteId, key_name AS KeyName, updated_at AS UpdatedAt";

    public async Task<IReadOnlyList<UnifiedModelRecord>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"SELECT {Columns} FROM group_unified_models ORDER BY group_id", new { cancellationToken });
        return rows.Select(row => row.ToRecord()).ToList();
    }

    public async Task<UnifiedModelRecord?> GetAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM group_unified_models WHERE group_id = @groupId", new { groupId, cancellationToken });
        return row?.ToRecord();
    }

    /// <exception cref="StorageConflictException">A route of the group has the alias.</exception>
    public async Task SetAsync(UnifiedModelRecord unified, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await GroupAliasLock.BeginAsync(connections, connection, unified.GroupId, cancellationToken);
        await GroupAliasLock.RefuseRouteAliasAsync(connection, transaction, unified.GroupId, unified.Alias, cancellationToken);
        await UpsertAsync(connection, transaction, unified, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task UpsertAsync(DbConnection connection, DbTransaction? transaction, UnifiedModelRecord unified, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO group_unified_models (group_id, alias, route_id, key_name, updated_at) VALUES (@GroupId, @Alias, @RouteId, @KeyName, @UpdatedAt) " +
            "ON CONFLICT (group_id) DO UPDATE SET alias = excluded.alias, route_id = excluded.route_id, key_name = excluded.key_name, updated_at = excluded.updated_at",
            new
            {
                unified.GroupId,
                unified.Alias,
                unified.RouteId,
                unified.KeyName,
                UpdatedAt = StorageText.Timestamp(unified.UpdatedAt),
                cancellationToken,
            },
            transaction);

    /// <exception cref="StorageConflictException">The unified model of the route's group points at the route.</exception>
    internal static async Task RefuseRouteTargetAsync(DbConnection connection, DbTransaction transaction, string routeId, CancellationToken cancellationToken) =>
        RefuseWhenFound(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM group_unified_models WHERE route_id = @routeId", new { routeId, cancellationToken }, transaction));

    /// <exception cref="StorageConflictException">The unified model of the provider's group points at a route bound to the provider.</exception>
    internal static async Task RefuseProviderTargetAsync(
        DbConnection connection, DbTransaction transaction, string providerId, CancellationToken cancellationToken) =>
        RefuseWhenFound(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM group_unified_models u JOIN routes r ON r.route_id = u.route_id WHERE r.provider_id = @providerId",
            new { providerId, cancellationToken }, transaction));

    private static void RefuseWhenFound(long unifiedRows)
    {
        if (unifiedRows > 0)
        {
            throw new StorageConflictException("The unified model points at the route.");
        }
    }

    public async Task<bool> DeleteAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM group_unified_models WHERE group_id = @groupId", new { groupId, cancellationToken }) > 0;
    }

    internal sealed class Row
    {
        public string GroupId { get; set; } = "";
        public string Alias { get; set; } = "";
        public string RouteId { get; set; } = "";
        public string? KeyName { get; set; }
        public string UpdatedAt { get; set; } = "";

        public UnifiedModelRecord ToRecord() => new(GroupId, Alias, RouteId, KeyName, StorageText.ParseTimestamp(UpdatedAt));
    }
}
