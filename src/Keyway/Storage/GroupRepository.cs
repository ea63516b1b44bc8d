using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>Groups, their counts, and the one-transaction group copy.</summary>
public sealed class GroupRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "g.group_id AS GroupId, g.name AS Name, g.enabled AS Enabled, g.note AS Note, g.created_at AS CreatedAt, g.updated_at AS UpdatedAt";

    private const string CountColumns =
        "(SELECT COUNT(*) FROM providers p WHERE p.group_id = g.group_id) AS ProviderCount, " +
        "(SELECT COUNT(*) FROM routes r WHERE r.group_id = g.group_id) AS RouteCount, " +
        "(SELECT COUNT(*) FROM api_keys k WHERE k.group_id = g.group_id) AS KeyCount, " +
        "(SELECT COUNT(*) FROM tool_providers t WHERE t.group_id = g.group_id) AS ToolCount";

    private const string OrderBy = " ORDER BY g.created_at, g.group_id";

    public async Task<IReadOnlyList<GroupRecord>> ListAllAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection => connection.QueryAsync<GroupRow>(
                $"SELECT {Columns} FROM groups g{OrderBy}", new { cancellationToken }),
            cancellationToken);
        return rows.Select(row => row.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<GroupListItem>> ListWithCountsAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection => connection.QueryAsync<GroupRow>(
                $"SELECT {Columns}, {CountColumns} FROM groups g{OrderBy}", new { cancellationToken }),
            cancellationToken);
        return rows.Select(row => row.ToListItem()).ToList();
    }

    public async Task<GroupRecord?> GetAsync(string groupId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection => connection.QueryAsync<GroupRow>(
                $"SELECT {Columns} FROM groups g WHERE g.group_id = @groupId", new { groupId, cancellationToken }),
            cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<GroupListItem?> GetWithCountsAsync(string groupId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection => connection.QueryAsync<GroupRow>(
                $"SELECT {Columns}, {CountColumns} FROM groups g WHERE g.group_id = @groupId", new { groupId, cancellationToken }),
            cancellationToken);
        return rows.SingleOrDefault()?.ToListItem();
    }

    /// <exception cref="StorageConflictException">The group_id exists.</exception>
    public async Task CreateAsync(GroupRecord group, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, null, group, cancellationToken));
    }

    public async Task<bool> UpdateAsync(GroupRecord group, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE groups SET name = @Name, enabled = @Enabled, note = @Note, updated_at = @UpdatedAt WHERE group_id = @GroupId",
            Parameters(group, cancellationToken));
        return changed > 0;
    }

    /// <summary>Deletes the group and, through ON DELETE CASCADE, everything in it.</summary>
    public async Task<bool> DeleteAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM groups WHERE group_id = @groupId", new { groupId, cancellationToken });
        return deleted > 0;
    }

    /// <summary>Writes a copied group with all its rows, all or nothing.</summary>
    /// <exception cref="StorageConflictException">The new group id, or a copied provider/tool id, exists.</exception>
    public async Task CreateCopyAsync(GroupCopy copy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ConstraintGuard.RunAsync(async () =>
        {
            await InsertAsync(connection, transaction, copy.Group, cancellationToken);
            foreach (var provider in copy.Providers)
            {
                await ProviderRepository.InsertAsync(connection, transaction, provider, cancellationToken);
            }
            foreach (var route in copy.Routes)
            {
                await RouteRepository.InsertAsync(connection, transaction, route, cancellationToken);
            }
            foreach (var key in copy.IssuedKeys)
            {
                await IssuedKeyRepository.InsertAsync(connection, transaction, key, cancellationToken);
            }
            foreach (var tool in copy.ToolProviders)
            {
                await ToolProviderRepository.InsertAsync(connection, transaction, tool, cancellationToken);
            }
            foreach (var target in copy.RouteProviders)
            {
                await RouteProviderRepository.InsertAsync(connection, transaction, target, cancellationToken);
            }
            if (copy.Unified is { } unified)
            {
                await UnifiedModelRepository.UpsertAsync(connection, transaction, unified, cancellationToken);
            }
        });
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, GroupRecord group, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO groups (group_id, name, enabled, note, created_at, updated_at) VALUES (@GroupId, @Name, @Enabled, @Note, @CreatedAt, @UpdatedAt)",
            Parameters(group, cancellationToken), transaction);

    private static GroupArgs Parameters(GroupRecord group, CancellationToken cancellationToken) => new(
        group.GroupId, group.Name, StorageText.Flag(group.Enabled), group.Note, StorageText.Timestamp(group.CreatedAt),
        StorageText.Timestamp(group.UpdatedAt), cancellationToken);

    private Task<List<GroupRow>> QueryAsync(Func<DbConnection, Task<IEnumerable<GroupRow>>> query, CancellationToken cancellationToken) =>
        connections.ReadAllAsync(query, row => row, cancellationToken);

    internal sealed class GroupRow
    {
        public string GroupId { get; set; } = "";
        public string Name { get; set; } = "";
        public long Enabled { get; set; }
        public string Note { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public long ProviderCount { get; set; }
        public long RouteCount { get; set; }
        public long KeyCount { get; set; }
        public long ToolCount { get; set; }

        public GroupRecord ToRecord() => new(
            GroupId, Name, Enabled != 0, Note, StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt));

        public GroupListItem ToListItem() => new(ToRecord(), (int)ProviderCount, (int)RouteCount, (int)KeyCount, (int)ToolCount);
    }

    /// <summary>The group's columns as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record GroupArgs(
        string GroupId, string Name, long Enabled, string Note, string CreatedAt, string UpdatedAt, CancellationToken CancellationToken);
}
