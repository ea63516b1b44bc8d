using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>Tool providers (e.g. a web-search API) of a group, with their sealed API key and JSON config.</summary>
public sealed class ToolProviderRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "tool_id AS ToolId, group_id AS GroupId, name AS Name, kind AS Kind, sealed_api_key AS SealedApiKey, config AS Config, " +
        "enabled AS Enabled, created_at AS CreatedAt, updated_at AS UpdatedAt, search_count AS SearchCount, search_failures AS SearchFailures, " +
        "last_search_at AS LastSearchAt";

    // Constant SQL: Dapper.AOT generates its parameter binding at build time.
    private const string Select = $"SELECT {Columns} FROM tool_providers WHERE ";

    private const string OrderBy = " ORDER BY created_at, tool_id";

    public Task<IReadOnlyList<ToolProviderRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<ToolProviderRow>(
                Select + "1 = 1" + OrderBy, new { cancellationToken }),
            cancellationToken);

    public Task<IReadOnlyList<ToolProviderRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<ToolProviderRow>(
                Select + "group_id = @groupId" + OrderBy, new { groupId, cancellationToken }),
            cancellationToken);

    public async Task<ToolProviderRecord?> GetAsync(string toolId, CancellationToken cancellationToken) =>
        (await QueryAsync(
            connection => connection.QueryAsync<ToolProviderRow>(
                Select + "tool_id = @toolId" + OrderBy, new { toolId, cancellationToken }),
            cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The tool_id exists.</exception>
    public async Task CreateAsync(ToolProviderRecord tool, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, null, tool, cancellationToken));
    }

    public async Task<bool> UpdateAsync(ToolProviderRecord tool, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE tool_providers SET name = @Name, kind = @Kind, sealed_api_key = @SealedApiKey, config = @Config, enabled = @Enabled, " +
            "updated_at = @UpdatedAt WHERE tool_id = @ToolId",
            Parameters(tool, cancellationToken)) > 0;
    }

    public async Task<bool> DeleteAsync(string toolId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM tool_providers WHERE tool_id = @toolId", new { toolId, cancellationToken }) > 0;
    }

    /// <summary>Adds the searches counted since the last flush, in one transaction; the last search time never moves backwards.</summary>
    public async Task AddSearchUsageAsync(IReadOnlyCollection<KeyValuePair<string, ToolSearchUsage>> usageByToolId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (toolId, usage) in usageByToolId)
        {
            await connection.ExecuteAsync(
            "UPDATE tool_providers SET search_count = search_count + @Searches, search_failures = search_failures + @Failures, " +
            "last_search_at = CASE WHEN last_search_at IS NULL OR last_search_at < @LastSearchAt THEN @LastSearchAt ELSE last_search_at END " +
            "WHERE tool_id = @ToolId",
            new
            {
                ToolId = toolId,
                usage.Searches,
                usage.Failures,
                LastSearchAt = StorageText.Timestamp(usage.LastSearchAt),
                cancellationToken,
            },
            transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, ToolProviderRecord tool, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO tool_providers (tool_id, group_id, name, kind, sealed_api_key, config, enabled, created_at, updated_at) " +
            "VALUES (@ToolId, @GroupId, @Name, @Kind, @SealedApiKey, @Config, @Enabled, @CreatedAt, @UpdatedAt)",
            Parameters(tool, cancellationToken), transaction);

    private static ToolArgs Parameters(ToolProviderRecord tool, CancellationToken cancellationToken) => new(
        tool.ToolId, tool.GroupId, tool.Name, tool.Kind, tool.SealedApiKey, tool.ConfigJson, StorageText.Flag(tool.Enabled),
        StorageText.Timestamp(tool.CreatedAt), StorageText.Timestamp(tool.UpdatedAt), cancellationToken);

    private async Task<IReadOnlyList<ToolProviderRecord>> QueryAsync(
        Func<DbConnection, Task<IEnumerable<ToolProviderRow>>> query, CancellationToken cancellationToken) =>
        await connections.ReadAllAsync(query, row => row.ToRecord(), cancellationToken);

    internal sealed class ToolProviderRow
    {
        public string ToolId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Kind { get; set; } = "";
        public string SealedApiKey { get; set; } = "";
        public string Config { get; set; } = "{}";
        public long Enabled { get; set; }
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public long SearchCount { get; set; }
        public long SearchFailures { get; set; }
        public string? LastSearchAt { get; set; }

        public ToolProviderRecord ToRecord() => new(
            ToolId, GroupId, Name, Kind, SealedApiKey, Config, Enabled != 0,
            StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt),
            SearchCount, SearchFailures, StorageText.ParseOptionalTimestamp(LastSearchAt));
    }

    /// <summary>The tool provider's columns as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record ToolArgs(
        string ToolId, string GroupId, string Name, string Kind, string SealedApiKey, string Config, long Enabled, string CreatedAt,
        string UpdatedAt, CancellationToken CancellationToken);
}
