using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway provider reorder|move-key`: the order in which a provider's key pool tries its keys (the order that
/// routing_mode priority and only_first follow). Both send the pool's whole new order in one
/// PUT /admin/llm/providers/{id}/keys/order, so a pool is never left half reordered; keys are named by name or key id.
/// </summary>
public static class KeyPoolOrderCommands
{
    public static Command Reorder(CliContext context)
    {
        var providerId = new Argument<string>("provider-id");
        var keys = new Argument<string[]>("keys")
        {
            Description = "Every key of the pool, by name or key id, in the order the pool should try them",
            Arity = ArgumentArity.OneOrMore,
        };
        return new Command("reorder", "Set the whole order in which a provider's key pool tries its keys") { providerId, keys }.WithAdminAction(context,
            async (parse, admin, ct) =>
            {
                var provider = parse.GetRequiredValue(providerId);
                var pool = await PoolAsync(admin, provider, ct);
                return await PutOrderAsync(admin, provider, [.. parse.GetRequiredValue(keys).Select(key => KeyId(pool, provider, key))], ct);
            },
            RenderPool);
    }

    public static Command MoveKey(CliContext context)
    {
        var providerId = new Argument<string>("provider-id");
        var key = new Argument<string>("key") { Description = "The key to move, by name or key id" };
        var to = new Option<int>("--to") { Description = "Its new place in the order: 1 is tried first", HelpName = "position", Required = true };
        to.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--to must be 1 or more: 1 is the key tried first");
            }
        });
        return new Command("move-key", "Move one key of a provider's pool to another place in the order; the others keep theirs")
        {
            providerId, key, to,
        }.WithAdminAction(context,
            (parse, admin, ct) => MoveAsync(admin, parse.GetRequiredValue(providerId), parse.GetRequiredValue(key), parse.GetValue(to), ct),
            RenderPool);
    }

    /// <summary>
    /// Reads the pool's order, moves <paramref name="key"/> to <paramref name="position"/> (1-based) and writes the whole
    /// order back. When the pool changed in between, the gateway refuses the order (409, or 400 naming a key it lacks)
    /// and nothing is reordered.
    /// </summary>
    public static async Task<JsonNode> MoveAsync(AdminClient admin, string providerId, string key, int position, CancellationToken cancellationToken)
    {
        var pool = await PoolAsync(admin, providerId, cancellationToken);
        var keyId = KeyId(pool, providerId, key);
        if (position > pool.Count)
        {
            throw new CliException($"--to {position} is past the end of the pool of '{providerId}', which has {pool.Count} key(s)");
        }
        var order = pool.Select(item => item["key_id"]!.ToString()).Where(id => id != keyId).ToList();
        order.Insert(position - 1, keyId);
        try
        {
            return await PutOrderAsync(admin, providerId, order, cancellationToken);
        }
        catch (CliException refused) when (refused.Status is HttpStatusCode.Conflict or HttpStatusCode.BadRequest)
        {
            throw new CliException(
                $"the key pool of '{providerId}' changed while '{key}' was being moved (a key was added or removed after its order was read), "
                + $"so nothing was reordered: run the command again. The gateway said: {refused.Message}");
        }
    }

    /// <summary>PUT …/keys/order: <paramref name="keyIds"/> must be every key of the pool once; answers the provider.</summary>
    public static Task<JsonNode> PutOrderAsync(AdminClient admin, string providerId, IEnumerable<string> keyIds, CancellationToken cancellationToken) =>
        admin.PutAsync($"{ProviderPath(providerId)}/keys/order", new JsonObject { ["key_ids"] = new JsonArray([.. keyIds.Select(id => (JsonNode)id)]) }, cancellationToken);

    internal static async Task<List<JsonNode>> PoolAsync(AdminClient admin, string providerId, CancellationToken cancellationToken) =>
        Pool(await admin.GetAsync(ProviderPath(providerId), cancellationToken));

    /// <summary>The provider's keys in the order the pool tries them, as the admin API lists them.</summary>
    private static List<JsonNode> Pool(JsonNode answer) => [.. (answer["provider"]?["api_keys"]?.AsArray() ?? []).OfType<JsonNode>()];

    /// <summary>The id of the pool's key that <paramref name="key"/> names: its key id, else its name (unique in a pool).</summary>
    internal static string KeyId(List<JsonNode> pool, string providerId, string key) =>
        ItemReference.IdOf(pool, key, "key_id", "name", $"keys in the pool of '{providerId}'")
        ?? throw new CliException(
            $"the pool of '{providerId}' has no key '{key}'; its keys, in order: {string.Join(", ", pool.Select(item => $"{item["name"]} ({item["key_id"]})"))}");

    internal static string ProviderPath(string providerId) => $"admin/llm/providers/{Uri.EscapeDataString(providerId)}";

    /// <summary>The pool in its new order, one row per key with its place (1 is tried first).</summary>
    private static void RenderPool(CliContext context, JsonNode answer) =>
        CliOutput.WriteTable(context, Pool(answer).Select((key, index) => (JsonNode?)new JsonObject
        {
            ["position"] = index + 1,
            ["name"] = key["name"]?.DeepClone(),
            ["key_id"] = key["key_id"]?.DeepClone(),
            ["enabled"] = key["enabled"]?.DeepClone(),
            ["state"] = key["health"]?["state"]?.DeepClone(),
        }), "position", "name", "key_id", "enabled", "state");
}
