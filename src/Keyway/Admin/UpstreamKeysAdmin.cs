using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>/admin/llm/providers/{id}/keys: add, change, remove and (admin only) reveal one upstream key of a provider's pool.</summary>
internal static class UpstreamKeysAdmin
{
    public static void MapUpstreamKeysAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/llm/providers/{providerId}/keys", AddAsync);
        admin.MapPatch("/llm/providers/{providerId}/keys/{keyId}", UpdateAsync);
        admin.MapDelete("/llm/providers/{providerId}/keys/{keyId}", DeleteAsync);
        admin.MapGet("/llm/providers/{providerId}/keys/{keyId}/secret", RevealAsync);
    }

    private static async Task<IResult> AddAsync(
        string providerId, HttpRequest request, ProviderRepository providers, KeyPoolRepository pools, SecretBox secrets,
        ConfigurationChangeNotifier notifier, CooldownBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var name = body.RequiredString("name", AdminValidation.NameMaxLength);
        var secret = ProviderFields.RequireSecret(body.OptionalString("api_key", AdminValidation.SecretMaxLength) ?? "", "api_key");
        var key = ProviderFields.NewKey(providerId, name, secret, 0, body.OptionalBool("enabled") ?? true, secrets, time.GetUtcNow()) with
        {
            Models = ProviderFields.KeyModels(body, null),
            BaseUrl = ProviderFields.KeyBaseUrl(body, null),
            NativeEndpoints = ProviderFields.NativeEndpoints(body, provider.Protocol, null),
            AllowVisitor = body.OptionalBool("allow_visitor") ?? false,
            MaxConcurrency = ProviderFields.KeyMaxConcurrency(body, null),
        };
        // The secret check and the place at the end are made on the pool read under its lock, so two adds at once
        // cannot both pass the check or take the same place.
        var added = await pools.AddKeyAsync(providerId, pool =>
        {
            PoolSecrets.RefuseHeld(providerId, pool, secret, null, secrets);
            return key with { SortOrder = pool.Count == 0 ? 0 : pool.Max(held => held.SortOrder) + 1 };
        }, cancellationToken).OrConflict(DuplicateName(providerId, name));
        if (!added)
        {
            throw AdminProblem.NotFound($"provider not found: {providerId}");
        }
        await notifier.NotifyAsync();
        return await RespondAsync(providers, providerId, key.KeyId, secrets, book, cancellationToken);
    }

    /// <summary>
    /// Changes the fields sent. A new secret is a new credential: the cooldown or quarantine the old one earned (a 401, a
    /// spent quota) is cleared on every instance, so the rotated key is tried at once.
    /// </summary>
    private static async Task<IResult> UpdateAsync(
        string providerId, string keyId, HttpRequest request, ProviderRepository providers, KeyPoolRepository pools, SecretBox secrets,
        ConfigurationChangeNotifier notifier, CooldownBook book, KeyHealthReset reset, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var name = provider.RequireKey(keyId).Name;
        var secret = body.OptionalString("api_key", AdminValidation.SecretMaxLength);
        var newName = body.Has("name") ? body.RequiredString("name", AdminValidation.NameMaxLength) : null;
        var sealedSecret = secret is null ? null : secrets.Seal(ProviderFields.RequireSecret(secret, "api_key"));
        var secretChanged = false;
        // Made of the key and pool as they are under the pool's lock: a field the body does not send (sort_order above
        // all, which a reorder may have just changed) is written back as it is now, not as it was read above.
        var change = (UpstreamKeyRecord key, IReadOnlyList<UpstreamKeyRecord> pool) =>
        {
            if (secret is not null)
            {
                PoolSecrets.RefuseHeld(providerId, pool, secret, keyId, secrets);
            }
            secretChanged = secret is not null && secret != secrets.Open(key.SealedSecret);
            return key with
            {
                Name = newName ?? key.Name,
                SealedSecret = sealedSecret ?? key.SealedSecret,
                Enabled = body.OptionalBool("enabled") ?? key.Enabled,
                SortOrder = body.OptionalInt("sort_order", 0, int.MaxValue) ?? key.SortOrder,
                Models = ProviderFields.KeyModels(body, key.Models),
                BaseUrl = ProviderFields.KeyBaseUrl(body, key.BaseUrl),
                NativeEndpoints = ProviderFields.NativeEndpoints(body, provider.Protocol, key.NativeEndpoints),
                AllowVisitor = body.OptionalBool("allow_visitor") ?? key.AllowVisitor,
                MaxConcurrency = ProviderFields.KeyMaxConcurrency(body, key.MaxConcurrency),
            };
        };
        if (!await pools.UpdateKeyAsync(providerId, keyId, change, cancellationToken).OrConflict(DuplicateName(providerId, newName ?? name)))
        {
            throw AdminProblem.NotFound($"upstream key not found: {keyId}");
        }
        if (secretChanged)
        {
            await reset.ResetAsync(providerId, [keyId], cancellationToken);
        }
        await notifier.NotifyAsync();
        return await RespondAsync(providers, providerId, keyId, secrets, book, cancellationToken);
    }

    private static async Task<IResult> DeleteAsync(
        string providerId, string keyId, ProviderRepository providers, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        await providers.RequireProviderAsync(providerId, cancellationToken);
        if (!await providers.DeleteKeyAsync(providerId, keyId, cancellationToken))
        {
            throw AdminProblem.NotFound($"upstream key not found: {keyId}");
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"upstream key deleted: {keyId}"), AdminJsonContext.Default.MessageResponse);
    }

    private static async Task<IResult> RevealAsync(
        string providerId, string keyId, ProviderRepository providers, SecretBox secrets, CancellationToken cancellationToken)
    {
        var key = (await providers.RequireProviderAsync(providerId, cancellationToken)).RequireKey(keyId);
        return TypedResults.Json(
            new UpstreamKeySecretResponse(providerId, key.KeyId, key.Name, secrets.Open(key.SealedSecret)),
            AdminJsonContext.Default.UpstreamKeySecretResponse);
    }

    private static async Task<IResult> RespondAsync(
        ProviderRepository providers, string providerId, string keyId, SecretBox secrets, CooldownBook book, CancellationToken cancellationToken)
    {
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        return TypedResults.Json(
            new UpstreamKeyEnvelope(provider.RequireKey(keyId).AsResponse(secrets, book), provider.AsResponse(secrets, book)),
            AdminJsonContext.Default.UpstreamKeyEnvelope);
    }

    private static string DuplicateName(string providerId, string name) => $"key name '{name}' already exists for provider '{providerId}'";
}
