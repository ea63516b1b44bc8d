using Keyway.Admin;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// The admin API while another process holds the SQLite file locked (<c>sqlite3 keyway.db 'BEGIN EXCLUSIVE;'</c>):
/// every write answers 503 within one time limit for the whole request, shortened here from 30 s to 1 s.
/// </summary>
[Trait("Storage", "SqliteFile")]
public sealed class DatabaseLockedAdminTests
{
    [Fact]
    public async Task AdminWrites_WhileTheFileIsLocked_Answer503Locked_ReadsAndTheDataPlaneKeepServing()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { AdminDatabaseTimeout = TimeSpan.FromSeconds(1) });
        await using var holder = await SqliteFileLock.HoldAsync(bed.Server.Options.DatabasePath);

        await LockedDatabaseExpectations.AssertWritesRefused_ReadsAndTheDataPlaneServeAsync(bed, AdminErrors.DatabaseLocked);

        await holder.ReleaseAsync();

        await AdminApi.CreateGroupAsync(bed.Admin, "locked");
    }
}
