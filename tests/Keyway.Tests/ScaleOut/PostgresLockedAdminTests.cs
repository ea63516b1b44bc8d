using Dapper;
using Keyway.Admin;
using Keyway.Storage;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// The admin API while another PostgreSQL session holds the configuration tables locked (a long transaction, a manual
/// LOCK, a migration by hand): every write answers 503 within one time limit for the whole request, shortened here
/// from 30 s to 1 s, instead of waiting for the lock for ever.
/// </summary>
public sealed class PostgresLockedAdminTests
{
    [PostgresFact]
    public async Task AdminWrites_WhileAnotherSessionLocksTheTables_Answer503RowLocked_ReadsAndTheDataPlaneKeepServing()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { AdminDatabaseTimeout = TimeSpan.FromSeconds(1) });
        await using (await PostgresTableLock.HoldAsync(bed.Server.Options.DatabaseUrl!, "groups", "providers", "provider_keys", "api_keys"))
        {
            await LockedDatabaseExpectations.AssertWritesRefused_ReadsAndTheDataPlaneServeAsync(bed, AdminErrors.DatabaseRowLocked);
        }

        await AdminApi.CreateGroupAsync(bed.Admin, "locked");
        // The limit was the admin requests' own: a connection of the same pool opened outside one (the request-log
        // writer's) gets no lock_timeout from them.
        await using var connection = await bed.Server.Services.GetRequiredService<IDbConnectionFactory>().OpenAsync(CancellationToken.None);
        Assert.Equal("0", await connection.ExecuteScalarAsync<string>("SHOW lock_timeout"));
    }
}
