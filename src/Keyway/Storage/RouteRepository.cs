using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Keyway.Storage;

/// <summary>Routes: a model alias of a group mapped to a provider and an upstream model.</summary>
public sealed class RouteRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "route_id AS RouteId, group_id AS GroupId, alias AS Alias, provider_id AS ProviderId, upstream_model AS UpstreamModel, " +
        "upstream_path AS UpstreamPath, enabled AS Enabled, note AS Note, created_at AS CreatedAt, updated_at AS UpdatedAt, web_search AS WebSearch, " +
        "default_reasoning_effort AS DefaultReasoningEffort, max_tokens_cap AS MaxTokensCap, default_temperature AS DefaultTemperature, allowed_paths AS AllowedPaths, " +
        "allow_visitors AS AllowVisitors";

    // Constant SQL: Dapper.AOT generates its parameter binding at build time.
    private const string Select = $"SELECT {Columns} FROM routes WHERE ";

    private const string OrderBy = " ORDER BY group_id, alias";

    public Task<IReadOnlyList<RouteRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync(connection => connection.QueryAsync<RouteRow>(Select + "1 = 1" + OrderBy, new { cancellationToken }), cancellationToken);

    public Task<IReadOnlyList<RouteRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<RouteRow>(
                Select + "group_id = @groupId" + OrderBy, new { groupId, cancellationToken }),
            cancellationToken);

    public async Task<RouteRecord?> GetAsync(string routeId, CancellationToken cancellationToken) =>
        (await QueryAsync(
            connection => connection.QueryAsync<RouteRow>(
                Select + "route_id = @routeId" + OrderBy, new { routeId, cancellationToken }),
            cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The alias is a route's or the unified alias of the group.</exception>
    public async Task CreateAsync(RouteRecord route, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await GroupAliasLock.BeginAsync(connections, connection, route.GroupId, cancellationToken);
        await GroupAliasLock.RefuseUnifiedAliasAsync(connection, transaction, route.GroupId, route.Alias, cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, transaction, route, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes every column but the group. A rename to the group's unified alias is refused; a route that kept an alias
    /// equal to it (stored before this check existed) can still be edited.
    /// </summary>
    /// <exception cref="StorageConflictException">The new alias is another route's or the unified alias of the group.</exception>
    public async Task<bool> UpdateAsync(RouteRecord route, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await GroupAliasLock.BeginAsync(connections, connection, route.GroupId, cancellationToken);
        var storedAlias = await connection.ExecuteScalarAsync<string?>(
            "SELECT alias FROM routes WHERE route_id = @RouteId", new { route.RouteId, cancellationToken }, transaction);
        if (storedAlias is not null && storedAlias != route.Alias)
        {
            await GroupAliasLock.RefuseUnifiedAliasAsync(connection, transaction, route.GroupId, route.Alias, cancellationToken);
        }
        var updated = await ConstraintGuard.RunAsync(async () => await connection.ExecuteAsync(
            "UPDATE routes SET alias = @Alias, provider_id = @ProviderId, upstream_model = @UpstreamModel, upstream_path = @UpstreamPath, " +
            "enabled = @Enabled, note = @Note, updated_at = @UpdatedAt, web_search = @WebSearch, default_reasoning_effort = @DefaultReasoningEffort, " +
            "max_tokens_cap = @MaxTokensCap, default_temperature = @DefaultTemperature, allowed_paths = @AllowedPaths, " +
            "allow_visitors = @AllowVisitors WHERE route_id = @RouteId",
            Parameters(route, cancellationToken), transaction) > 0);
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    /// <summary>
    /// Deletes the route unless the group's unified model points at it: the unified row would go with it (ON DELETE
    /// CASCADE) and clients of the unified name would get "model not found". The group's lock is the one a unified
    /// switch takes, so no switch to this route lands between the check and the delete.
    /// </summary>
    /// <exception cref="StorageConflictException">The group's unified model points at the route.</exception>
    public async Task<bool> DeleteAsync(RouteRecord route, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await GroupAliasLock.BeginAsync(connections, connection, route.GroupId, cancellationToken);
        await UnifiedModelRepository.RefuseRouteTargetAsync(connection, transaction, route.RouteId, cancellationToken);
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM routes WHERE route_id = @RouteId", new { route.RouteId, cancellationToken }, transaction) > 0;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, RouteRecord route, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO routes (route_id, group_id, alias, provider_id, upstream_model, upstream_path, enabled, note, created_at, updated_at, web_search, " +
            "default_reasoning_effort, max_tokens_cap, default_temperature, allowed_paths, allow_visitors) " +
            "VALUES (@RouteId, @GroupId, @Alias, @ProviderId, @UpstreamModel, @UpstreamPath, @Enabled, @Note, @CreatedAt, @UpdatedAt, @WebSearch, " +
            "@DefaultReasoningEffort, @MaxTokensCap, @DefaultTemperature, @AllowedPaths, @AllowVisitors)",
            Parameters(route, cancellationToken), transaction);

    private static RouteArgs Parameters(RouteRecord route, CancellationToken cancellationToken) => new(
        route.RouteId, route.GroupId, route.Alias, route.ProviderId, route.UpstreamModel, route.UpstreamPath, StorageText.Flag(route.Enabled),
        route.Note, StorageText.Timestamp(route.CreatedAt), StorageText.Timestamp(route.UpdatedAt), route.WebSearch.Name(),
        route.DefaultReasoningEffort, route.MaxTokensCap, route.DefaultTemperature,
        JsonSerializer.Serialize(route.AllowedPaths.ToList(), StorageJsonContext.Default.ListString), StorageText.Flag(route.AllowVisitors),
        cancellationToken);

    private async Task<IReadOnlyList<RouteRecord>> QueryAsync(
        Func<DbConnection, Task<IEnumerable<RouteRow>>> query, CancellationToken cancellationToken) =>
        await connections.ReadAllAsync(query, row => row.ToRecord(), cancellationToken);

    internal sealed class RouteRow
    {
        public string RouteId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string Alias { get; set; } = "";
        public string ProviderId { get; set; } = "";
        public string UpstreamModel { get; set; } = "";
        public string UpstreamPath { get; set; } = "";
        public long Enabled { get; set; }
        public string Note { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public string WebSearch { get; set; } = "";
        public string AllowedPaths { get; set; } = "[]";
        public string? DefaultReasoningEffort { get; set; }
        public long? MaxTokensCap { get; set; }
        public double? DefaultTemperature { get; set; }
        public long AllowVisitors { get; set; }

        public RouteRecord ToRecord() => new(
            RouteId, GroupId, Alias, ProviderId, UpstreamModel, UpstreamPath, Enabled != 0, Note,
            StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt), WebSearchModeNames.Parse(WebSearch),
            DefaultReasoningEffort, (int?)MaxTokensCap, DefaultTemperature)
        {
            AllowedPaths = JsonSerializer.Deserialize(AllowedPaths, StorageJsonContext.Default.ListString) ?? [],
            AllowVisitors = AllowVisitors != 0,
        };
    }

    /// <summary>The route's columns as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record RouteArgs(
        string RouteId, string GroupId, string Alias, string ProviderId, string UpstreamModel, string UpstreamPath, long Enabled, string Note,
        string CreatedAt, string UpdatedAt, string WebSearch, string? DefaultReasoningEffort, int? MaxTokensCap, double? DefaultTemperature,
        string AllowedPaths, long AllowVisitors, CancellationToken CancellationToken);
}
