using System.Security.Cryptography;
using System.Text;
using Keyway.Configuration;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// Admin UI sessions: a random cookie value of which only an HMAC-SHA256 keyed with the admin token is stored, valid
/// for seven days. Several sessions may be open at once; ending one leaves the others. Rotating the admin token ends
/// them all: the stored hashes no longer match any cookie.
/// </summary>
public sealed class AdminSessions(AdminSessionRepository sessions, KeywayOptions options, TimeProvider time)
{
    public const string CookieName = "keyway_admin_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var token = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        await sessions.DeleteExpiredAsync(now, cancellationToken);
        await sessions.CreateAsync(Hash(token), now, now + Lifetime, cancellationToken);
        return token;
    }

    public Task<bool> IsActiveAsync(string token, CancellationToken cancellationToken) =>
        sessions.IsActiveAsync(Hash(token), time.GetUtcNow(), cancellationToken);

    public Task EndAsync(string token, CancellationToken cancellationToken) => sessions.DeleteAsync(Hash(token), cancellationToken);

    public static CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        MaxAge = Lifetime,
        IsEssential = true,
    };

    private string Hash(string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.AdminToken), Encoding.UTF8.GetBytes(token)));
}
