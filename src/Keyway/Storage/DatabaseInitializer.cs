using Dapper;
using Keyway.Security;

namespace Keyway.Storage;

/// <summary>
/// Start-up checks before the first request: schema migrations, the KEYWAY_SECRET verifier
/// (a wrong secret stops the server here instead of producing garbage keys later), sealing provider
/// header values stored in plain by an older version, and the undeletable "default" group.
/// </summary>
public sealed class DatabaseInitializer(IDbConnectionFactory connections, MigrationRunner migrations, SecretBox secretBox, TimeProvider time)
{
    private const string VerifierKey = "secret_verifier";
    private const string VerifierPlaintext = "keyway-secret-verifier";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrations.ApplyAsync(cancellationToken);
        }
        catch (SchemaTooNewException e)
        {
            throw new StartupRefusedException(e.Message);
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        var verifier = await connection.ExecuteScalarAsync<string?>(
            "SELECT value FROM meta WHERE key = @VerifierKey", new { VerifierKey, cancellationToken });
        if (verifier is null)
        {
            await connection.ExecuteAsync(
                "INSERT INTO meta (key, value) VALUES (@VerifierKey, @Value)",
                new { VerifierKey, Value = secretBox.Seal(VerifierPlaintext), cancellationToken });
        }
        else if (!secretBox.TryOpen(verifier, out var opened) || opened != VerifierPlaintext)
        {
            throw new StartupRefusedException(
                "KEYWAY_SECRET does not match the secret this database was created with. Start with the original KEYWAY_SECRET " +
                "(or the data dir's secret.key), or point KEYWAY_DATA_DIR at a new directory.");
        }
        await PlainExtraHeadersSealing.SealAsync(connection, secretBox, cancellationToken);
        var now = time.GetUtcNow().ToString("O");
        await connection.ExecuteAsync(
            "INSERT INTO groups (group_id, name, enabled, note, created_at, updated_at) VALUES ('default', 'Default Group', 1, '', @now, @now) ON CONFLICT (group_id) DO NOTHING",
            new { now, cancellationToken });
    }
}
