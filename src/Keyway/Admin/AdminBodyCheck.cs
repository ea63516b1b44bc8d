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

    /// <summary>The route a checked body's defaults are read onto, then dropped.</summary>
    private static readonly RouteRecord Placeholder = new("", "", "", "", "", "", true, "", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, WebSearchMode.Auto);

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
    public static void Route(RequestBody body)
    {
        RouteAllowedPaths.Read(body);
        RouteDefaultsFields.Apply(body, Placeholder);
        body.OptionalWebSearch();
    }
}
