using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>/admin/llm/groups/{id}/keys and /admin/llm/keys/{id}: the db_sk_ keys clients call Keyway with.</summary>
internal static class IssuedKeysAdmin
{
    private const int OwnerMaxLength = 64;
    private const int PlaintextMaxLength = 256;
    private const string PlaintextNote =
        "Store this key now. An admin can retrieve it again with GET /admin/llm/keys/{key_id}/plaintext; lists never show it.";

    public static void MapIssuedKeysAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups/{groupId}/keys", ListAsync);
        admin.MapPost("/llm/groups/{groupId}/keys", CreateAsync);
        admin.MapGet("/llm/keys/{keyId}", GetAsync);
        admin.MapGet("/llm/keys/{keyId}/plaintext", GetPlaintextAsync);
        admin.MapPatch("/llm/keys/{keyId}", UpdateAsync);
        admin.MapDelete("/llm/keys/{keyId}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(string groupId, GroupRepository groups, IssuedKeyRepository keys, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var list = await keys.ListByGroupAsync(groupId, cancellationToken);
        return TypedResults.Json(new IssuedKeyListEnvelope(list.Select(key => key.AsResponse()).ToList()), AdminJsonContext.Default.IssuedKeyListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        string groupId, HttpRequest request, GroupRepository groups, IssuedKeyRepository keys, SecretBox secrets,
        ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var plaintext = GivenPlaintext(body) ?? IssuedKeys.Generate();
        var now = time.GetUtcNow();
        var key = Read(body, New(groupId, now) with
        {
            KeyHash = IssuedKeys.Hash(plaintext),
            KeyPrefix = IssuedKeys.DisplayPrefix(plaintext),
            SealedPlaintext = secrets.Seal(plaintext),
        }, creating: true, now);
        await keys.CreateAsync(key, cancellationToken).OrConflict("this key already exists");
        await notifier.NotifyAsync();
        return TypedResults.Json(new IssuedKeyCreatedResponse(key.AsResponse(), plaintext, PlaintextNote), AdminJsonContext.Default.IssuedKeyCreatedResponse);
    }

    /// <summary>
    /// An existing key given by the caller (a migration keeps the keys its clients already use): db_sk_ followed by at
    /// least 16 characters, stored sealed and hashed like a generated one.
    /// </summary>
    public static string? GivenPlaintext(RequestBody body)
    {
        var plaintext = body.OptionalString("plaintext", PlaintextMaxLength);
        if (plaintext is not null && !IssuedKeys.IsAcceptable(plaintext))
        {
            throw AdminProblem.BadRequest(
                $"plaintext must start with {IssuedKeys.Prefix} followed by at least {IssuedKeys.GivenMinSecretLength} characters without spaces", "plaintext");
        }
        return plaintext;
    }

    private static async Task<IResult> GetAsync(string keyId, IssuedKeyRepository keys, CancellationToken cancellationToken) =>
        Respond(await keys.RequireKeyAsync(keyId, cancellationToken));

    private static async Task<IResult> GetPlaintextAsync(string keyId, IssuedKeyRepository keys, SecretBox secrets, CancellationToken cancellationToken)
    {
        var key = await keys.RequireKeyAsync(keyId, cancellationToken);
        return TypedResults.Json(new IssuedKeyPlaintextResponse(keyId, secrets.Open(key.SealedPlaintext)), AdminJsonContext.Default.IssuedKeyPlaintextResponse);
    }

    private static async Task<IResult> UpdateAsync(
        string keyId, HttpRequest request, IssuedKeyRepository keys, ConfigurationChangeNotifier notifier, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var key = await keys.RequireKeyAsync(keyId, cancellationToken);
        var now = time.GetUtcNow();
        var updated = Read(body, key, creating: false, now) with { UpdatedAt = now };
        if (!await keys.UpdateAsync(updated, cancellationToken))
        {
            throw AdminProblem.NotFound($"key not found: {keyId}");
        }
        await notifier.NotifyAsync();
        return Respond(updated);
    }

    private static async Task<IResult> DeleteAsync(
        string keyId, IssuedKeyRepository keys, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        if (!await keys.DeleteAsync(keyId, cancellationToken))
        {
            throw AdminProblem.NotFound($"key not found: {keyId}");
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"key deleted: {keyId}"), AdminJsonContext.Default.MessageResponse);
    }

    /// <summary>A key of <paramref name="groupId"/> before its body is read: enabled, no expiry, no policy.</summary>
    public static IssuedKeyRecord New(string groupId, DateTimeOffset now) =>
        new(AdminValidation.NewId(), groupId, "", "", "", "", "", true, null, null, now, now);

    /// <summary>The fields create and PATCH read from <paramref name="body"/>, onto <paramref name="key"/>; create requires a name.</summary>
    public static IssuedKeyRecord Read(RequestBody body, IssuedKeyRecord key, bool creating, DateTimeOffset now) => key with
    {
        Name = creating || body.Has("name") ? body.RequiredString("name", AdminValidation.NameMaxLength) : key.Name,
        OwnerUserId = body.OptionalString("owner_user_id", OwnerMaxLength) ?? key.OwnerUserId,
        Enabled = body.OptionalBool("enabled") ?? key.Enabled,
        ExpiresAt = IssuedKeyExpiry.Read(body, now, key.ExpiresAt),
        WebSearch = body.OptionalWebSearch() ?? key.WebSearch,
        Policy = IssuedKeyPolicyFields.Apply(body, key.Policy),
    };

    private static IResult Respond(IssuedKeyRecord key) =>
        TypedResults.Json(new IssuedKeyEnvelope(key.AsResponse()), AdminJsonContext.Default.IssuedKeyEnvelope);
}
