using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>/admin/llm/groups: list, create, read, update, delete. The copy lives in <see cref="GroupCopyAdmin"/>.</summary>
internal static class GroupsAdmin
{
    public const string DefaultGroupId = "default";

    public static void MapGroupsAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups", ListAsync);
        admin.MapPost("/llm/groups", CreateAsync);
        admin.MapGet("/llm/groups/{groupId}", GetAsync);
        admin.MapPatch("/llm/groups/{groupId}", UpdateAsync);
        admin.MapDelete("/llm/groups/{groupId}", DeleteAsync);
        admin.MapGroupCopyAdmin();
    }

    private static async Task<IResult> ListAsync(GroupRepository groups, CancellationToken cancellationToken)
    {
        var items = await groups.ListWithCountsAsync(cancellationToken);
        return TypedResults.Json(new GroupListEnvelope(items.Select(item => item.AsResponse()).ToList()), AdminJsonContext.Default.GroupListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, GroupRepository groups, ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var groupId = NewId(body);
        var now = time.GetUtcNow();
        var group = Read(body, new GroupRecord(groupId, "", true, "", now, now), creating: true);
        await groups.CreateAsync(group, cancellationToken).OrConflict($"group_id '{groupId}' already exists");
        await notifier.NotifyAsync();
        return await RespondAsync(groups, groupId, cancellationToken);
    }

    private static Task<IResult> GetAsync(string groupId, GroupRepository groups, CancellationToken cancellationToken) =>
        RespondAsync(groups, groupId, cancellationToken);

    private static async Task<IResult> UpdateAsync(
        string groupId, HttpRequest request, GroupRepository groups, ConfigurationChangeNotifier notifier, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var group = await groups.RequireGroupAsync(groupId, cancellationToken);
        var updated = Read(body, group, creating: false) with { UpdatedAt = time.GetUtcNow() };
        if (!await groups.UpdateAsync(updated, cancellationToken))
        {
            throw AdminProblem.NotFound($"group not found: {groupId}");
        }
        await notifier.NotifyAsync();
        return await RespondAsync(groups, groupId, cancellationToken);
    }

    private static async Task<IResult> DeleteAsync(
        string groupId, GroupRepository groups, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        if (groupId == DefaultGroupId)
        {
            throw AdminProblem.Conflict("default group cannot be deleted");
        }
        if (!await groups.DeleteAsync(groupId, cancellationToken))
        {
            throw AdminProblem.NotFound($"group not found: {groupId}");
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"group deleted: {groupId}"), AdminJsonContext.Default.MessageResponse);
    }

    public static string NewId(RequestBody body) => AdminValidation.Slug("group_id", body.RequiredString("group_id", 64));

    /// <summary>The fields create and PATCH read from <paramref name="body"/>, onto <paramref name="group"/>; create requires a name.</summary>
    public static GroupRecord Read(RequestBody body, GroupRecord group, bool creating) => group with
    {
        Name = creating || body.Has("name") ? body.RequiredString("name", AdminValidation.NameMaxLength) : group.Name,
        Enabled = body.OptionalBool("enabled") ?? group.Enabled,
        Note = body.OptionalString("note", AdminValidation.NoteMaxLength) ?? group.Note,
    };

    private static async Task<IResult> RespondAsync(GroupRepository groups, string groupId, CancellationToken cancellationToken)
    {
        var item = await groups.GetWithCountsAsync(groupId, cancellationToken) ?? throw AdminProblem.NotFound($"group not found: {groupId}");
        return TypedResults.Json(new GroupEnvelope(item.AsResponse()), AdminJsonContext.Default.GroupEnvelope);
    }
}
