using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// POST /admin/llm/groups/{id}/copy: a new group with the same providers (ids "{new_group_id}.{provider_id}"),
/// routes remapped to them (with their fallback targets and the unified alias), tool providers, and brand-new
/// issued keys whose plaintexts are returned once.
/// </summary>
internal static class GroupCopyAdmin
{
    public static void MapGroupCopyAdmin(this RouteGroupBuilder admin) => admin.MapPost("/llm/groups/{groupId}/copy", CopyAsync);

    private static async Task<IResult> CopyAsync(
        string groupId, HttpRequest request, GroupRepository groups, ProviderRepository providers, RouteRepository routes,
        IssuedKeyRepository keys, ToolProviderRepository tools, RouteProviderRepository targets, UnifiedModelRepository unified,
        SecretBox secrets, ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var newName = body.RequiredString("new_name", AdminValidation.NameMaxLength);
        var newGroupId = body.OptionalString("new_group_id", 64) is { Length: > 0 } chosen
            ? AdminValidation.Slug("new_group_id", chosen)
            : DefaultCopyId(groupId);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        if (await groups.GetAsync(newGroupId, cancellationToken) is not null)
        {
            throw AdminProblem.Conflict($"group_id '{newGroupId}' already exists");
        }

        var now = time.GetUtcNow();
        var copier = new Copier(newGroupId, now, secrets);
        var copiedRoutes = (await routes.ListByGroupAsync(groupId, cancellationToken)).Select(copier.Route).ToList();
        var copy = new GroupCopy(
            new GroupRecord(newGroupId, newName, true, "", now, now),
            (await providers.ListByGroupAsync(groupId, cancellationToken)).Select(copier.Provider).ToList(),
            copiedRoutes,
            (await keys.ListByGroupAsync(groupId, cancellationToken)).Select(copier.IssuedKey).ToList(),
            (await tools.ListByGroupAsync(groupId, cancellationToken)).Select(copier.ToolProvider).ToList(),
            (await targets.ListAllAsync(cancellationToken)).Select(copier.RouteProvider).OfType<RouteProviderRecord>().ToList(),
            copier.Unified(await unified.GetAsync(groupId, cancellationToken)));
        await groups.CreateCopyAsync(copy, cancellationToken)
            .OrConflict($"group_id '{newGroupId}' or an id copied into it already exists");
        await notifier.NotifyAsync();

        var item = await groups.GetWithCountsAsync(newGroupId, cancellationToken) ?? throw AdminProblem.NotFound($"group not found: {newGroupId}");
        var issued = copier.Issued;
        return TypedResults.Json(new GroupCopyEnvelope(item.AsResponse() with { IssuedKeys = issued }, issued), AdminJsonContext.Default.GroupCopyEnvelope);
    }

    /// <summary>"{group}-copy-{6 hex}", shortening the source id so the result stays a valid 64-character slug.</summary>
    private static string DefaultCopyId(string groupId) => $"{groupId[..Math.Min(groupId.Length, 52)]}-copy-{AdminValidation.NewId()[..6]}";

    private sealed class Copier(string newGroupId, DateTimeOffset now, SecretBox secrets)
    {
        private readonly List<CopiedKeyResponse> _issued = [];
        private readonly Dictionary<string, string> _routeIds = new(StringComparer.Ordinal);

        public IReadOnlyList<CopiedKeyResponse> Issued => _issued;

        public ProviderRecord Provider(ProviderRecord provider)
        {
            var providerId = NewProviderId(provider.ProviderId);
            return provider with
            {
                ProviderId = providerId,
                GroupId = newGroupId,
                CreatedAt = now,
                UpdatedAt = now,
                Keys = provider.Keys.Select(key => key with { KeyId = AdminValidation.NewId(), ProviderId = providerId, CreatedAt = now }).ToList(),
            };
        }

        public RouteRecord Route(RouteRecord route)
        {
            var routeId = AdminValidation.NewId();
            _routeIds[route.RouteId] = routeId;
            return route with
            {
                RouteId = routeId,
                GroupId = newGroupId,
                ProviderId = NewProviderId(route.ProviderId),
                CreatedAt = now,
                UpdatedAt = now,
            };
        }

        /// <summary>A fallback target of a copied route, or null when it belongs to another group's route. Call after <see cref="Route"/>.</summary>
        public RouteProviderRecord? RouteProvider(RouteProviderRecord target) =>
            _routeIds.TryGetValue(target.RouteId, out var routeId)
                ? target with { RpId = AdminValidation.NewId(), RouteId = routeId, ProviderId = NewProviderId(target.ProviderId), CreatedAt = now }
                : null;

        public UnifiedModelRecord? Unified(UnifiedModelRecord? unified) =>
            unified is not null && _routeIds.TryGetValue(unified.RouteId, out var routeId)
                ? unified with { GroupId = newGroupId, RouteId = routeId, UpdatedAt = now }
                : null;

        public ToolProviderRecord ToolProvider(ToolProviderRecord tool) => tool with
        {
            ToolId = $"{newGroupId}.{tool.ToolId}",
            GroupId = newGroupId,
            CreatedAt = now,
            UpdatedAt = now,
            SearchCount = 0,
            SearchFailures = 0,
            LastSearchAt = null,
        };

        public IssuedKeyRecord IssuedKey(IssuedKeyRecord key)
        {
            var plaintext = Security.IssuedKeys.Generate();
            var copied = key with
            {
                KeyId = AdminValidation.NewId(),
                GroupId = newGroupId,
                KeyHash = Security.IssuedKeys.Hash(plaintext),
                KeyPrefix = Security.IssuedKeys.DisplayPrefix(plaintext),
                SealedPlaintext = secrets.Seal(plaintext),
                LastUsedAt = null,
                CreatedAt = now,
                UpdatedAt = now,
            };
            _issued.Add(new CopiedKeyResponse(copied.KeyId, copied.Name, plaintext, copied.KeyPrefix));
            return copied;
        }

        private string NewProviderId(string providerId) => $"{newGroupId}.{providerId}";
    }
}
