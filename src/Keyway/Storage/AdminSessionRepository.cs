using Dapper;

namespace Keyway.Storage;

/// <summary>Admin UI sessions, known only by the SHA-256 of the cookie value.</summary>
public sealed class AdminSessionRepository(IDbConnectionFactory connections)
{
    public async Task CreateAsync(string sessionHash, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO admin_sessions (session_hash, created_at, expires_at) VALUES (@sessionHash, @CreatedAt, @ExpiresAt)",
            new { sessionHash, CreatedAt = StorageText.Timestamp(createdAt), ExpiresAt = StorageText.Timestamp(expiresAt), cancellationToken });
    }

    public async Task<bool> IsActiveAsync(string sessionHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM admin_sessions WHERE session_hash = @sessionHash AND expires_at > @Now",
            new { sessionHash, Now = StorageText.Timestamp(now), cancellationToken }) > 0;
    }

    public async Task DeleteAsync(string sessionHash, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "DELETE FROM admin_sessions WHERE session_hash = @sessionHash", new { sessionHash, cancellationToken });
    }

    public async Task DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "DELETE FROM admin_sessions WHERE expires_at <= @Now", new { Now = StorageText.Timestamp(now), cancellationToken });
    }
}
