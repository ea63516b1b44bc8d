using System.Data.Common;
using System.Text.Json;
using Dapper;
using Keyway.Security;

namespace Keyway.Storage;

/// <summary>
/// Seals the extra_headers values of provider rows written before they were sealed (<see cref="SealedHeaders"/>), at
/// start-up, on SQLite and PostgreSQL alike: a SQL migration cannot, the key comes from KEYWAY_SECRET. A row is rewritten
/// only while it is still as read, so an instance starting beside a running one cannot undo an edit made meanwhile.
/// </summary>
internal static class PlainExtraHeadersSealing
{
    public static async Task SealAsync(DbConnection connection, SecretBox secrets, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<ProviderHeadersRow>(
            "SELECT provider_id AS ProviderId, extra_headers AS ExtraHeaders FROM providers", new { cancellationToken })).ToList();
        foreach (var row in rows)
        {
            var headers = JsonSerializer.Deserialize(row.ExtraHeaders, StorageJsonContext.Default.DictionaryStringString) ?? [];
            if (headers.Values.All(value => SealedHeaders.IsSealed(value, secrets)))
            {
                continue;
            }
            var sealedHeaders = headers.ToDictionary(
                header => header.Key, header => SealedHeaders.IsSealed(header.Value, secrets) ? header.Value : secrets.Seal(header.Value));
            await ReplaceAsync(connection, row, JsonSerializer.Serialize(sealedHeaders, StorageJsonContext.Default.DictionaryStringString), cancellationToken);
        }
    }

    /// <summary>Writes the sealed headers while the row still holds what was read.</summary>
    private static Task ReplaceAsync(DbConnection connection, ProviderHeadersRow row, string sealedJson, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "UPDATE providers SET extra_headers = @sealedJson WHERE provider_id = @ProviderId AND extra_headers = @ExtraHeaders",
            new { sealedJson, row.ProviderId, row.ExtraHeaders, cancellationToken });

    internal sealed class ProviderHeadersRow
    {
        public string ProviderId { get; set; } = "";
        public string ExtraHeaders { get; set; } = "{}";
    }
}
