using System.Globalization;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// Whether an issued key of the admin API's answers works now: "active", "disabled" or "expired". The API lists
/// <c>enabled</c> and <c>expires_at</c> apart, and a key past its expiry still reads as enabled while the gateway refuses
/// it (at <c>expires_at</c> itself, as the gateway's own check).
/// </summary>
public static class IssuedKeyState
{
    public const string Active = "active";

    public static string Of(JsonNode key, DateTimeOffset now) =>
        key["enabled"]?.GetValue<bool>() == false ? "disabled"
        : DateTimeOffset.TryParse(key["expires_at"]?.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) && expiry <= now ? "expired"
        : Active;
}
