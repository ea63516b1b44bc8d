using System.Globalization;

namespace Keyway.Admin;

/// <summary>
/// An issued key's <c>expires_at</c>: a time already past made a key the gateway refuses from its first request ("API key
/// expired."), accepted without a word. Refused unless it is the stored expiry sent back unchanged (an edit form resends
/// every field, and a key may have expired since).
/// </summary>
internal static class IssuedKeyExpiry
{
    private const string Field = "expires_at";

    /// <summary><paramref name="current"/> when the body leaves the field out, null when it is explicitly null.</summary>
    public static DateTimeOffset? Read(RequestBody body, DateTimeOffset now, DateTimeOffset? current)
    {
        if (!body.TryGetTimestamp(Field, out var expiresAt))
        {
            return current;
        }
        return expiresAt is { } at && at <= now && at != current
            ? throw AdminProblem.BadRequest(
                $"{Field} must be in the future: {at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} has passed", Field)
            : expiresAt;
    }
}
