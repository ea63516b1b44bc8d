using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>
/// /admin/llm/health: every provider's circuit and every key's cooldown or quarantine (optional <c>?group_id=</c>);
/// POST /admin/llm/health/{provider_id}/reset clears them all, or one key with <c>?key_id=</c>, on every instance.
/// </summary>
internal static class HealthAdmin
{
    public static void MapHealthAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/health", ListAsync);
        admin.MapPost("/llm/health/{providerId}/reset", ResetAsync);
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, ProviderRepository providers, CooldownBook book, Gateway.GatewayReadiness readiness, CancellationToken cancellationToken)
    {
        var groupId = request.Query["group_id"].ToString();
        var list = groupId.Length > 0
            ? await providers.ListByGroupAsync(groupId, cancellationToken)
            : await providers.ListAllAsync(cancellationToken);
        return TypedResults.Json(
            new HealthListEnvelope(list.Select(provider => provider.AsHealth(book)).ToList(), await readiness.CheckAsync(cancellationToken)),
            AdminJsonContext.Default.HealthListEnvelope);
    }

    private static async Task<IResult> ResetAsync(
        string providerId, HttpRequest request, ProviderRepository providers, CooldownBook book, KeyHealthReset reset,
        CancellationToken cancellationToken)
    {
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var keyId = request.Query["key_id"].ToString();
        IReadOnlyCollection<string> keyIds = keyId.Length > 0 ? [provider.RequireKey(keyId).KeyId] : provider.Keys.Select(key => key.KeyId).ToList();
        await reset.ResetAsync(providerId, keyIds, cancellationToken);
        return TypedResults.Json(new HealthEnvelope(provider.AsHealth(book)), AdminJsonContext.Default.HealthEnvelope);
    }
}
