using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>/admin/llm/groups/{id}/providers and /admin/llm/providers/{id}. Upstream keys and extra_headers values are always shown masked.</summary>
internal static class ProvidersAdmin
{
    public static void MapProvidersAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups/{groupId}/providers", ListAsync);
        admin.MapPost("/llm/groups/{groupId}/providers", CreateAsync);
        admin.MapGet("/llm/providers/{providerId}", GetAsync);
        admin.MapPatch("/llm/providers/{providerId}", UpdateAsync);
        admin.MapDelete("/llm/providers/{providerId}", DeleteAsync);
        admin.MapGet("/llm/providers/{providerId}/extra-headers/secret", RevealExtraHeadersAsync);
    }

    private static async Task<IResult> ListAsync(
        string groupId, GroupRepository groups, ProviderRepository providers, SecretBox secrets, CooldownBook book, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var list = await providers.ListByGroupAsync(groupId, cancellationToken);
        return TypedResults.Json(
            new ProviderListEnvelope(list.Select(provider => provider.AsResponse(secrets, book)).ToList()), AdminJsonContext.Default.ProviderListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        string groupId, HttpRequest request, GroupRepository groups, ProviderRepository providers, SecretBox secrets,
        ConfigurationChangeNotifier notifier, CooldownBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var providerId = AdminValidation.Slug("provider_id", body.RequiredString("provider_id", 64));
        var now = time.GetUtcNow();
        var protocol = ProviderFields.Protocol(body) ?? ProviderFields.DefaultProtocol;
        var provider = new ProviderRecord(
            providerId,
            groupId,
            body.RequiredString("name", AdminValidation.NameMaxLength),
            ProviderFields.BaseUrl(body, required: true)!,
            protocol,
            body.OptionalBool("enabled") ?? true,
            body.OptionalString("note", AdminValidation.NoteMaxLength) ?? "",
            ProviderFields.TimeoutSeconds(body) ?? ProviderFields.DefaultTimeoutSeconds,
            ProviderExtraHeaders.Read(body, null, secrets) ?? new Dictionary<string, string>(),
            ProviderFields.RoutingMode(body) ?? ProviderFields.DefaultRoutingMode,
            now,
            now,
            ProviderFields.KeyPool(body, providerId, protocol, secrets, now)
                ?? throw AdminProblem.BadRequest("api_key or api_keys is required", "api_key"),
            ProviderFields.MaxRetries(body, null),
            ProviderFields.KeyFailureThreshold(body, null),
            ProviderFields.KeyCooldownSeconds(body, null),
            ProviderFields.NativeEndpoints(body, protocol, null),
            ProviderFields.Websocket(body, protocol, current: false))
        {
            KeyWaitSeconds = ProviderFields.KeyWaitSeconds(body, null),
            ThinkingSwitch = ProviderFields.ThinkingSwitch(body) ?? ProviderRecord.NoThinkingSwitch,
            AuthHeader = ProviderFields.AuthHeader(body, null),
            ReasoningReplay = ProviderFields.ReasoningReplay(body, null),
            ReasoningSplit = ProviderFields.ReasoningSplit(body, null),
        };
        await providers.CreateAsync(provider, cancellationToken).OrConflict($"provider_id '{providerId}' already exists");
        await notifier.NotifyAsync();
        return await RespondAsync(providers, providerId, secrets, book, cancellationToken);
    }

    private static Task<IResult> GetAsync(
        string providerId, ProviderRepository providers, SecretBox secrets, CooldownBook book, CancellationToken cancellationToken) =>
        RespondAsync(providers, providerId, secrets, book, cancellationToken);

    private static async Task<IResult> UpdateAsync(
        string providerId, HttpRequest request, ProviderRepository providers, SecretBox secrets, ConfigurationChangeNotifier notifier,
        CooldownBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var now = time.GetUtcNow();
        var protocol = ProviderFields.Protocol(body) ?? provider.Protocol;
        var updated = provider with
        {
            Name = body.Has("name") ? body.RequiredString("name", AdminValidation.NameMaxLength) : provider.Name,
            BaseUrl = ProviderFields.BaseUrl(body, required: false) ?? provider.BaseUrl,
            Protocol = protocol,
            NativeEndpoints = ProviderFields.NativeEndpoints(body, protocol, provider.NativeEndpoints),
            Websocket = ProviderFields.Websocket(body, protocol, provider.Websocket),
            Enabled = body.OptionalBool("enabled") ?? provider.Enabled,
            Note = body.OptionalString("note", AdminValidation.NoteMaxLength) ?? provider.Note,
            TimeoutSeconds = ProviderFields.TimeoutSeconds(body) ?? provider.TimeoutSeconds,
            SealedExtraHeaders = ProviderExtraHeaders.Read(body, provider.SealedExtraHeaders, secrets) ?? provider.SealedExtraHeaders,
            RoutingMode = ProviderFields.RoutingMode(body) ?? provider.RoutingMode,
            MaxRetries = ProviderFields.MaxRetries(body, provider.MaxRetries),
            KeyFailureThreshold = ProviderFields.KeyFailureThreshold(body, provider.KeyFailureThreshold),
            KeyCooldownSeconds = ProviderFields.KeyCooldownSeconds(body, provider.KeyCooldownSeconds),
            KeyWaitSeconds = ProviderFields.KeyWaitSeconds(body, provider.KeyWaitSeconds),
            ThinkingSwitch = ProviderFields.ThinkingSwitch(body) ?? provider.ThinkingSwitch,
            AuthHeader = ProviderFields.AuthHeader(body, provider.AuthHeader),
            ReasoningReplay = ProviderFields.ReasoningReplay(body, provider.ReasoningReplay),
            ReasoningSplit = ProviderFields.ReasoningSplit(body, provider.ReasoningSplit),
            UpdatedAt = now,
        };
        var replacementKeys = ProviderFields.KeyPool(body, providerId, protocol, secrets, now) is { } pool
            ? KeyPoolIdentities.Keep(pool, provider.Keys, secrets)
            : null;
        if (!await providers.UpdateAsync(updated, replacementKeys, cancellationToken))
        {
            throw AdminProblem.NotFound($"provider not found: {providerId}");
        }
        await notifier.NotifyAsync();
        return await RespondAsync(providers, providerId, secrets, book, cancellationToken);
    }

    private static async Task<IResult> RevealExtraHeadersAsync(
        string providerId, ProviderRepository providers, SecretBox secrets, CancellationToken cancellationToken)
    {
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        return TypedResults.Json(
            new ProviderExtraHeadersSecretResponse(providerId, SealedHeaders.Open(provider.SealedExtraHeaders, secrets)),
            AdminJsonContext.Default.ProviderExtraHeadersSecretResponse);
    }

    private static async Task<IResult> DeleteAsync(
        string providerId, ProviderRepository providers, RouteRepository routes, UnifiedModelRepository unified, ConfigurationChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var pointer = await unified.GetAsync(provider.GroupId, cancellationToken);
        var target = pointer is null ? null : await routes.GetAsync(pointer.RouteId, cancellationToken);
        var conflict = UnifiedModelAdmin.TargetConflict($"provider '{providerId}' serves route '{target?.Alias}', the route", pointer?.Alias, provider.GroupId);
        var deletedRoutes = await providers.DeleteAsync(provider, cancellationToken).OrConflict(conflict)
            ?? throw AdminProblem.NotFound($"provider not found: {providerId}");
        await notifier.NotifyAsync();
        return TypedResults.Json(
            new ProviderDeletedResponse($"provider deleted: {providerId}", deletedRoutes), AdminJsonContext.Default.ProviderDeletedResponse);
    }

    private static async Task<IResult> RespondAsync(
        ProviderRepository providers, string providerId, SecretBox secrets, CooldownBook book, CancellationToken cancellationToken)
    {
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        return TypedResults.Json(new ProviderEnvelope(provider.AsResponse(secrets, book)), AdminJsonContext.Default.ProviderEnvelope);
    }
}
