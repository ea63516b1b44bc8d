using System.Text.Json;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>Validation of provider fields, shared by create and PATCH.</summary>
internal static class ProviderFields
{
    public const int DefaultTimeoutSeconds = 600;
    public const int MaxTimeoutSeconds = 3600;
    public const string DefaultRoutingMode = "round_robin";
    public const string DefaultProtocol = "openai";
    public const string DefaultKeyName = "default";

    private const string NativeEndpointsField = "native_endpoints";
    private const string ListedNativeEndpoints = "api_keys.native_endpoints";
    private const string MaxConcurrencyField = "max_concurrency";
    private const string AuthHeaderField = "auth_header";
    private const string ReasoningReplayField = "reasoning_replay";
    private const string ReasoningSplitField = "reasoning_split";
    private const int MaxKeyConcurrency = 100_000;

    private static readonly string[] Protocols = ["openai", "anthropic", "openai-responses"];
    private static readonly string[] RoutingModes = ["round_robin", "priority", "only_first"];

    public static string? Protocol(RequestBody body) => OneOf(body, "protocol", Protocols);

    public static string? RoutingMode(RequestBody body) => OneOf(body, "routing_mode", RoutingModes);

    /// <summary>How the vendor switches thinking on a Chat request (<see cref="ThinkingSwitchNames"/>); null when the body names none.</summary>
    public static string? ThinkingSwitch(RequestBody body) => OneOf(body, "thinking_switch", ThinkingSwitchNames.Names);

    /// <summary>The header carrying the upstream key: absent keeps <paramref name="current"/>, null returns to the protocol's own.</summary>
    public static string? AuthHeader(RequestBody body, string? current) =>
        body.Has(AuthHeaderField) ? OneOf(body, AuthHeaderField, UpstreamAuthHeader.Names) : current;

    /// <summary>
    /// Whether translated Chat requests replay assistant turns' reasoning (<c>reasoning_content</c>): absent keeps
    /// <paramref name="current"/>, null returns to the rule for the host (<c>UpstreamEndpoint.TakesReasoningContent</c>).
    /// </summary>
    public static bool? ReasoningReplay(RequestBody body, bool? current) =>
        body.Has(ReasoningReplayField) ? body.OptionalBool(ReasoningReplayField) : current;

    /// <summary>
    /// Whether translated Chat requests ask MiniMax's <c>reasoning_split</c> and replay reasoning as <c>reasoning_details</c>:
    /// absent keeps <paramref name="current"/>, null returns to the rule for the host (<c>UpstreamEndpoint.SplitsReasoning</c>).
    /// </summary>
    public static bool? ReasoningSplit(RequestBody body, bool? current) =>
        body.Has(ReasoningSplitField) ? body.OptionalBool(ReasoningSplitField) : current;

    public static int? TimeoutSeconds(RequestBody body) => body.OptionalInt("timeout_seconds", 1, MaxTimeoutSeconds);

    /// <summary>A failover knob: absent keeps <paramref name="current"/>, explicit null returns to the global default.</summary>
    private static int? Knob(RequestBody body, string field, int min, int max, int? current) =>
        body.Has(field) ? body.OptionalInt(field, min, max) : current;

    public static int? MaxRetries(RequestBody body, int? current) => Knob(body, "max_retries", 0, 10, current);

    public static int? KeyFailureThreshold(RequestBody body, int? current) => Knob(body, "key_failure_threshold", 1, 100, current);

    public static int? KeyCooldownSeconds(RequestBody body, int? current) => Knob(body, "key_cooldown_seconds", 1, 86_400, current);

    /// <summary>How long a request may wait for a key of the pool: absent keeps <paramref name="current"/>, null returns to the global default.</summary>
    public static int? KeyWaitSeconds(RequestBody body, int? current) => Knob(body, "key_wait_seconds", 0, 600, current);

    /// <summary>A key's cap on requests in flight: absent keeps <paramref name="current"/>, null removes the cap.</summary>
    public static int? KeyMaxConcurrency(RequestBody body, int? current) =>
        body.Has(MaxConcurrencyField) ? body.OptionalInt(MaxConcurrencyField, 1, MaxKeyConcurrency) : current;

    /// <summary>The upstream models a key is limited to: absent keeps <paramref name="current"/>, null or [] means any model.</summary>
    public static IReadOnlyList<string>? KeyModels(RequestBody body, IReadOnlyList<string>? current) =>
        body.Has("models") ? ModelList(body.Element("models"), "models") : current;

    /// <summary>A key's own base URL: absent keeps <paramref name="current"/>, null or "" uses the provider's.</summary>
    public static string? KeyBaseUrl(RequestBody body, string? current) =>
        body.Has("base_url") ? CheckedUrl(body.OptionalString("base_url", 512), "base_url") : current;

    /// <summary>
    /// The provider's (or a key's own) base URLs for protocols other than <paramref name="mainProtocol"/>, the provider's:
    /// absent keeps <paramref name="current"/>, null or {} clears. Checked against the main protocol the provider will have, so a PATCH of <c>protocol</c> alone
    /// cannot leave a native endpoint in the main protocol behind.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NativeEndpoints(
        RequestBody body, string mainProtocol, IReadOnlyDictionary<string, string>? current) =>
        CheckedNativeEndpoints(body.Has(NativeEndpointsField) ? body.OptionalStringMap(NativeEndpointsField) : current, mainProtocol, NativeEndpointsField, NativeEndpointsField);

    private static Dictionary<string, string> CheckedNativeEndpoints(
        IReadOnlyDictionary<string, string>? map, string mainProtocol, string label, string field)
    {
        var checkedMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (protocol, url) in map ?? new Dictionary<string, string>())
        {
            if (!Protocols.Contains(protocol))
            {
                throw AdminProblem.BadRequest($"{label} keys must be protocols: {string.Join(", ", Protocols)}; got '{protocol}'", field);
            }
            if (protocol == mainProtocol)
            {
                throw AdminProblem.BadRequest($"{label} must not name the main protocol '{mainProtocol}': base_url serves it", field);
            }
            checkedMap[protocol] = CheckedUrl(url, field)
                ?? throw AdminProblem.BadRequest($"{label}.{protocol} must be an absolute http(s) URL", field);
        }
        return checkedMap;
    }

    /// <summary>
    /// The Responses WebSocket flag: absent keeps <paramref name="current"/>. Only a provider whose main protocol is
    /// openai-responses may have it, checked against the protocol it will have (as for native endpoints).
    /// </summary>
    public static bool Websocket(RequestBody body, string mainProtocol, bool current)
    {
        var websocket = body.OptionalBool("websocket") ?? current;
        return !websocket || mainProtocol == "openai-responses"
            ? websocket
            : throw AdminProblem.BadRequest("websocket needs protocol openai-responses: the WebSocket mode is part of the Responses API", "websocket");
    }

    public static string? BaseUrl(RequestBody body, bool required)
    {
        var text = required ? body.RequiredString("base_url", 512) : body.OptionalString("base_url", 512);
        if (text is null)
        {
            return null;
        }
        return CheckedUrl(text, "base_url");
    }

    private static string? CheckedUrl(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw AdminProblem.BadRequest($"{field} must be an absolute http(s) URL", field);
        }
        // Base URLs are listed in plain (they are no secret): a password in one would be, and sent as Basic auth besides.
        return uri.UserInfo.Length == 0
            ? text.Trim()
            : throw AdminProblem.BadRequest(
                $"{field} must not carry credentials (user:password@): put the upstream key in api_key, or a vendor's credential in extra_headers", field);
    }

    private static List<string>? ModelList(JsonElement? value, string field)
    {
        if (value is not { } array)
        {
            return null;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw AdminProblem.BadRequest($"{field} must be an array of upstream model names", field);
        }
        return array.EnumerateArray().Select(item => RequestBody.AsString(item, field, 256)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The key pool named by the body: <c>"api_key"</c> makes a one-key pool named "default", <c>"api_keys":[{name,api_key}]</c>
    /// gives several in that order. Null when the body names neither.
    /// </summary>
    public static IReadOnlyList<UpstreamKeyRecord>? KeyPool(RequestBody body, string providerId, string mainProtocol, SecretBox secrets, DateTimeOffset now)
    {
        var single = body.OptionalString("api_key", AdminValidation.SecretMaxLength);
        var list = body.Element("api_keys");
        if (single is not null && list is not null)
        {
            throw AdminProblem.BadRequest("give either api_key or api_keys, not both", "api_keys");
        }
        if (single is not null)
        {
            return [NewKey(providerId, DefaultKeyName, RequireSecret(single, "api_key"), 0, true, secrets, now)];
        }
        return list is { } array ? KeyList(array, providerId, mainProtocol, secrets, now) : null;
    }

    public static UpstreamKeyRecord NewKey(
        string providerId, string name, string secret, int sortOrder, bool enabled, SecretBox secrets, DateTimeOffset now) =>
        new(AdminValidation.NewId(), providerId, name, secrets.Seal(secret), enabled, sortOrder, now);

    /// <summary>
    /// A key to store: present, and not a mask the admin API itself showed ("sk-…abcd"), which a GET → edit → PATCH
    /// round trip would otherwise store in place of the real key.
    /// </summary>
    public static string RequireSecret(string secret, string field) =>
        string.IsNullOrWhiteSpace(secret) ? throw AdminProblem.BadRequest($"{field} is required", field)
        : SecretMask.IsMask(secret) ? throw AdminProblem.BadRequest($"{field} is a masked value ({secret}), not a key: send the key itself", field)
        : secret;

    private static List<UpstreamKeyRecord> KeyList(JsonElement array, string providerId, string mainProtocol, SecretBox secrets, DateTimeOffset now)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw AdminProblem.BadRequest("api_keys must be a non-empty array of {name, api_key}", "api_keys");
        }
        var keys = new List<UpstreamKeyRecord>();
        var namesBySecret = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw AdminProblem.BadRequest("api_keys must be a non-empty array of {name, api_key}", "api_keys");
            }
            var name = item.TryGetProperty("name", out var nameValue) && nameValue.ValueKind != JsonValueKind.Null
                ? RequestBody.AsString(nameValue, "api_keys", AdminValidation.NameMaxLength)
                : $"key-{keys.Count + 1}";
            var secret = item.TryGetProperty("api_key", out var secretValue)
                ? RequestBody.AsString(secretValue, "api_keys", AdminValidation.SecretMaxLength)
                : "";
            if (keys.Any(key => key.Name == name))
            {
                throw AdminProblem.BadRequest($"duplicate key name in api_keys: {name}", "api_keys");
            }
            PoolSecrets.RefuseRepeated(namesBySecret, RequireSecret(secret, "api_keys"), name);
            var models = ModelList(item.TryGetProperty("models", out var modelsValue) && modelsValue.ValueKind != JsonValueKind.Null ? modelsValue : null, "api_keys");
            var baseUrl = item.TryGetProperty("base_url", out var urlValue) && urlValue.ValueKind != JsonValueKind.Null
                ? CheckedUrl(RequestBody.AsString(urlValue, "api_keys", 512), "api_keys")
                : null;
            var nativeEndpoints = item.TryGetProperty(NativeEndpointsField, out var nativeValue) && nativeValue.ValueKind != JsonValueKind.Null
                ? CheckedNativeEndpoints(RequestBody.AsStringMap(nativeValue, ListedNativeEndpoints, "api_keys"), mainProtocol, ListedNativeEndpoints, "api_keys")
                : null;
            var allowVisitor = item.TryGetProperty("allow_visitor", out var visitorValue) && visitorValue.ValueKind == JsonValueKind.True;
            var maxConcurrency = ListedKeyMaxConcurrency(item);
            // A pool written back as it was listed (keyway export → apply) keeps its disabled keys disabled.
            var enabled = !(item.TryGetProperty("enabled", out var enabledValue) && enabledValue.ValueKind == JsonValueKind.False);
            keys.Add(NewKey(providerId, name, RequireSecret(secret, "api_keys"), keys.Count, enabled, secrets, now) with
            {
                Models = models,
                BaseUrl = baseUrl,
                NativeEndpoints = nativeEndpoints,
                AllowVisitor = allowVisitor,
                MaxConcurrency = maxConcurrency,
            });
        }
        return keys;
    }

    private static int? ListedKeyMaxConcurrency(JsonElement item)
    {
        if (!item.TryGetProperty(MaxConcurrencyField, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return RequestBody.IsIntegerIn(value, 1, MaxKeyConcurrency, out var cap)
            ? cap
            : throw AdminProblem.BadRequest($"api_keys.{MaxConcurrencyField} must be an integer from 1 to {MaxKeyConcurrency}", "api_keys");
    }

    private static string? OneOf(RequestBody body, string field, string[] allowed)
    {
        var value = body.OptionalString(field, 32);
        return value is null || allowed.Contains(value)
            ? value
            : throw AdminProblem.BadRequest($"{field} must be one of: {string.Join(", ", allowed)}", field);
    }
}
