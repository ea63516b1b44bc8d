namespace Keyway.Storage;

/// <summary>
/// key_probe_claims: which instance probes a quarantined upstream key this probe interval. Each one's prober asks for the
/// keys it holds quarantined and probes only those it is given; on SQLite (one instance) that is every key.
/// </summary>
public sealed class KeyProbeClaims(IDbConnectionFactory connections)
{
    // Keys deleted meanwhile are left out (provider_keys), so no claim outlives its key. A key whose claim is not due yet
    // is neither inserted nor updated, so RETURNING leaves it out.
    private const string ClaimSql =
        "INSERT INTO key_probe_claims (key_id, due_at) SELECT key_id, now() + @lease FROM provider_keys WHERE key_id = ANY(@keyIds) " +
        "ON CONFLICT (key_id) DO UPDATE SET due_at = excluded.due_at WHERE key_probe_claims.due_at <= now() RETURNING key_id";

    /// <summary>
    /// Of <paramref name="keyIds"/>, those this instance is to probe now: due by the database's clock, claimed for
    /// <paramref name="lease"/> in one statement, so two instances asking at once never both get a key.
    /// </summary>
    public async Task<IReadOnlySet<string>> ClaimAsync(IReadOnlyCollection<string> keyIds, TimeSpan lease, CancellationToken cancellationToken)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        if (connections.Dialect != PostgresConnectionFactory.DialectName || keyIds.Count == 0)
        {
            claimed.UnionWith(keyIds);
            return claimed;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(ClaimSql, new Dictionary<string, object?> { ["keyIds"] = keyIds.ToArray(), ["lease"] = lease });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(reader.GetString(0));
        }
        return claimed;
    }
}
