using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// What an admin create or edit refuses from its body alone, read by the handlers' own field readers, so that
/// <c>keyway apply --dry-run</c> refuses what the real apply would (it said "ok", and the apply then stopped halfway).
/// Checks that need the stored item (a masked value matched against the stored one, a route's provider) stay with the handlers.
/// </summary>
internal static class AdminBodyCheck
{
    /// <summary>Seals the key pool of a checked body, which is then dropped: only the refusals of the reading matter.</summary>
    private static readonly SecretBox Discarded = new(Guid.NewGuid().ToString());

    /// <summary>The id (of its group, its route) a checked body's item is read under, then dropped.</summary>
    private const string Placeholder = "checked";

    /// <exception cref="AdminProblem">The first field the provider's create (or edit) would refuse.</exception>
    public static void Provider(RequestBody body, bool creating)
    {
        ProviderFields.BaseUrl(body, required: creating);
        ProviderFields.TimeoutSeconds(body);
        ProviderFields.RoutingMode(body);
        ProviderFields.MaxRetries(body, null);
        ProviderFields.KeyFailureThreshold(body, null);
        ProviderFields.KeyCooldownSeconds(body, null);
        ProviderFields.KeyWaitSeconds(body, null);
        ProviderFields.ThinkingSwitch(body);
        ProviderFields.AuthHeader(body, null);
        ProviderFields.ReasoningReplay(body, null);
        ProviderFields.ReasoningSplit(body, null);
        ProviderExtraHeaders.CheckNames(body);
        // An edit that leaves protocol alone is checked against the stored one, which only the gateway knows.
        if ((ProviderFields.Protocol(body) ?? (creating ? ProviderFields.DefaultProtocol : null)) is { } protocol)
        {
            ProviderFields.NativeEndpoints(body, protocol, null);
            ProviderFields.Websocket(body, protocol, current: false);
            ProviderFields.KeyPool(body, "checked", protocol, Discarded, DateTimeOffset.UnixEpoch);
        }
    }

    /// <exception cref="AdminProblem">The first field the route's create (or edit) would refuse.</exception>
    public static void Route(RequestBody body, bool creating) =>
        RoutesAdmin.Read(body, RoutesAdmin.New(Placeholder, DateTimeOffset.UnixEpoch), creating);

    /// <exception cref="AdminProblem">The first field the group's create (or edit) would refuse.</exception>
    public static void Group(RequestBody body, bool creating)
    {
        if (creating)
        {
            GroupsAdmin.NewId(body);
        }
        GroupsAdmin.Read(body, new GroupRecord(Placeholder, "", true, "", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), creating);
    }

    /// <exception cref="AdminProblem">The first field the issued key's create (or edit) would refuse; an expiry is checked against now.</exception>
    public static void IssuedKey(RequestBody body, bool creating)
    {
        if (creating)
        {
            IssuedKeysAdmin.GivenPlaintext(body);
        }
        var now = DateTimeOffset.UtcNow;
        IssuedKeysAdmin.Read(body, IssuedKeysAdmin.New(Placeholder, now), creating, now);
    }

    /// <exception cref="AdminProblem">The first field the tool provider's create (or edit) would refuse.</exception>
    public static void ToolProvider(RequestBody body, bool creating) =>
        ToolProvidersAdmin.Read(body, ToolProvidersAdmin.New(ToolProvidersAdmin.NewId(body), Placeholder, DateTimeOffset.UnixEpoch), creating, Discarded);

    /// <exception cref="AdminProblem">The first field a route's new fallback target would refuse (its provider's group needs the gateway).</exception>
    public static void Fallback(RequestBody body) =>
        RouteProvidersAdmin.Read(body, RouteProvidersAdmin.New(Placeholder, RouteProvidersAdmin.ProviderId(body), "", DateTimeOffset.UnixEpoch), creating: true);

    /// <exception cref="AdminProblem">The first field the unified model's PUT would refuse (whether the route is in the group needs the gateway).</exception>
    public static void Unified(RequestBody body) => UnifiedModelAdmin.Read(body);
}
