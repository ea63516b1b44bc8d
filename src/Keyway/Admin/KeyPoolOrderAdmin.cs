using System.Text.Json;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>
/// PUT /admin/llm/providers/{id}/keys/order: the whole order of a provider's key pool in one write. Moving a key with
/// one PATCH of sort_order per key was not atomic: a failure halfway left a mixed order, and two admins moving keys at
/// once interleaved their numbers.
/// </summary>
internal static class KeyPoolOrderAdmin
{
    private const string Field = "key_ids";

    public static void MapKeyPoolOrderAdmin(this RouteGroupBuilder admin) =>
        admin.MapPut("/llm/providers/{providerId}/keys/order", ReorderAsync);

    private static async Task<IResult> ReorderAsync(
        string providerId, HttpRequest request, ProviderRepository providers, KeyPoolRepository pools, SecretBox secrets,
        ConfigurationChangeNotifier notifier, CooldownBook book, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var provider = await providers.RequireProviderAsync(providerId, cancellationToken);
        var keyIds = KeyIds(body);
        RequireThePool(provider, keyIds);
        if (!await pools.ReorderKeysAsync(providerId, keyIds, cancellationToken))
        {
            throw AdminProblem.Conflict($"the key pool of '{providerId}' changed while it was reordered; reload it and try again");
        }
        await notifier.NotifyAsync();
        var reordered = await providers.RequireProviderAsync(providerId, cancellationToken);
        return TypedResults.Json(new ProviderEnvelope(reordered.AsResponse(secrets, book)), AdminJsonContext.Default.ProviderEnvelope);
    }

    private static List<string> KeyIds(RequestBody body) => body.Element(Field) is { ValueKind: JsonValueKind.Array } array
        ? [.. array.EnumerateArray().Select(item => RequestBody.AsString(item, Field, AdminValidation.NameMaxLength))]
        : throw AdminProblem.BadRequest($"{Field} is required: the ids of the pool's keys, in the new order", Field);

    /// <summary>Refuses a list that is not each key of the pool exactly once, saying which ids are missing, unknown or repeated.</summary>
    private static void RequireThePool(ProviderRecord provider, IReadOnlyList<string> keyIds)
    {
        var poolIds = provider.Keys.Select(key => key.KeyId).ToList();
        var missing = poolIds.Except(keyIds, StringComparer.Ordinal).ToList();
        var unknown = keyIds.Except(poolIds, StringComparer.Ordinal).ToList();
        var repeated = keyIds.CountBy(id => id, StringComparer.Ordinal).Where(count => count.Value > 1).Select(count => count.Key).ToList();
        if (missing.Count + unknown.Count + repeated.Count == 0)
        {
            return;
        }
        var problems = new[] { ("missing", missing), ("not in the pool", unknown), ("repeated", repeated) }
            .Where(problem => problem.Item2.Count > 0)
            .Select(problem => $"{problem.Item1}: {string.Join(", ", problem.Item2)}");
        throw AdminProblem.BadRequest(
            $"{Field} must name each key of the pool of '{provider.ProviderId}' exactly once ({string.Join("; ", problems)})", Field);
    }
}
