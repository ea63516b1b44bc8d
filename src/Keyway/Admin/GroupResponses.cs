using System.Text.Json.Serialization;
using Keyway.Storage;

namespace Keyway.Admin;

public sealed record GroupResponse(
    string GroupId,
    string Name,
    bool Enabled,
    string Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int ProviderCount,
    int RouteCount,
    int KeyCount,
    int ToolCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CopiedKeyResponse>? IssuedKeys = null);

/// <summary>A key issued by a group copy; its plaintext is shown this once.</summary>
public sealed record CopiedKeyResponse(string KeyId, string Name, string Plaintext, string KeyPrefix);

public sealed record GroupEnvelope(GroupResponse Group) : OkEnvelope;

public sealed record GroupListEnvelope(IReadOnlyList<GroupResponse> Groups) : OkEnvelope;

/// <summary>The copy answer: the new keys sit in "issued_keys" at the top and, as the Python Keyway had them, inside "group".</summary>
public sealed record GroupCopyEnvelope(GroupResponse Group, IReadOnlyList<CopiedKeyResponse> IssuedKeys) : OkEnvelope;

internal static class GroupResponseMapping
{
    public static GroupResponse AsResponse(this GroupListItem item) => new(
        item.Group.GroupId, item.Group.Name, item.Group.Enabled, item.Group.Note, item.Group.CreatedAt, item.Group.UpdatedAt,
        item.ProviderCount, item.RouteCount, item.KeyCount, item.ToolCount);
}
