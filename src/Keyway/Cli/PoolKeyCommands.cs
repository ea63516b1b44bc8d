using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway provider add-key|edit-key`: one key of a provider's pool, over /admin/llm/providers/{id}/keys, without
/// replacing the pool as `provider edit --api-key` does; keys are named by name or key id.
/// </summary>
public static class PoolKeyCommands
{
    public static Command AddKey(CliContext context)
    {
        var providerId = new Argument<string>("provider-id");
        var name = new Argument<string>("name") { Description = "The key's name, unique in the pool" };
        var secret = new Option<string>("--api-key") { Description = "The upstream key", Required = true };
        var fields = Fields();
        return new Command("add-key", "Add a key at the end of a provider's pool") { providerId, name, secret }.WithFields(fields).WithAdminAction(context,
            (parse, admin, ct) => admin.PostAsync(
                $"{KeyPoolOrderCommands.ProviderPath(parse.GetRequiredValue(providerId))}/keys",
                BodyField.Body(parse, fields, new JsonObject { ["name"] = parse.GetValue(name), ["api_key"] = parse.GetValue(secret) }), ct),
            AdminCommand.Fields("key"));
    }

    public static Command EditKey(CliContext context)
    {
        var providerId = new Argument<string>("provider-id");
        var key = new Argument<string>("key") { Description = "The key to change, by name or key id" };
        BodyField[] fields =
        [
            BodyField.Text("--name", "name", "A new name"),
            BodyField.Text("--api-key", "api_key", "A new secret for the same key (its cooldown and quarantine are cleared)"),
            .. Fields(),
        ];
        return new Command("edit-key", "Change one key of a provider's pool; the other keys are left as they are") { providerId, key }.WithFields(fields)
            .WithAdminAction(context, async (parse, admin, ct) =>
            {
                var provider = parse.GetRequiredValue(providerId);
                var keyId = KeyPoolOrderCommands.KeyId(await KeyPoolOrderCommands.PoolAsync(admin, provider, ct), provider, parse.GetRequiredValue(key));
                return await admin.PatchAsync($"{KeyPoolOrderCommands.ProviderPath(provider)}/keys/{Uri.EscapeDataString(keyId)}", BodyField.Body(parse, fields), ct);
            },
            AdminCommand.Fields("key"));
    }

    private static BodyField[] Fields() =>
    [
        BodyField.List("--models", "models", "Comma-separated upstream models the key serves; \"\" serves any"),
        BodyField.Text("--base-url", "base_url", "The key's own base URL; \"\" uses the provider's"),
        ProviderCommands.NativeEndpoints("The key's own base URL for another protocol (it wins over the provider's)"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
        BodyField.Flag("--allow-visitor", "allow_visitor", "true: visitor keys may be served by this key"),
        BodyField.Limit("--max-concurrency", "max_concurrency", "Requests this instance has in flight on the key at once"),
    ];
}
