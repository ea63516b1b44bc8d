using System.Net;
using Keyway.Gateway;
using Keyway.Security;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Security;

/// <summary>Issued keys are authenticated by their SHA-256 alone: the encrypted plaintext plays no part.</summary>
public sealed class IssuedKeyHashAuthTests
{
    [Fact]
    public async Task Key_StillAuthenticates_WhenItsStoredPlaintextIsDestroyed_AndOnlyItsHashMatters()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await using (var connection = new SqliteConnection($"Data Source={bed.Server.Options.DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var destroy = connection.CreateCommand();
            destroy.CommandText = "UPDATE api_keys SET sealed_plaintext = 'destroyed'";
            Assert.Equal(1, await destroy.ExecuteNonQueryAsync());
            await using var hashes = connection.CreateCommand();
            hashes.CommandText = "SELECT key_hash FROM api_keys";
            Assert.Equal(IssuedKeys.Hash(bed.Key), (string?)await hashes.ExecuteScalarAsync());
        }
        await bed.Server.Services.GetRequiredService<RoutingTableHolder>().ReloadAsync(CancellationToken.None);

        using var accepted = await bed.PostAsync("v1/chat/completions", KeyPoolBed.ChatBody);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var oneCharacterOff = bed.Server.ClientWithKey(bed.Key[..^1] + (bed.Key[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await oneCharacterOff.PostAsync("v1/chat/completions", GatewayTestBed.Json(KeyPoolBed.ChatBody))).StatusCode);
    }
}
