using System.Security.Cryptography;
using System.Text;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// Admin UI sessions: a random cookie value whose SHA-256 alone is stored, valid for seven days. Several
/// sessions may be open at once; ending one leaves the others.
/// </summary>
public sealed class AdminSessions(AdminSessionRepository sessions, TimeProvider time)
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

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
