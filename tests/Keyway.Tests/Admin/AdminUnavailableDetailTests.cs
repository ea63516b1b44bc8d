using Keyway.Admin;
using Keyway.Storage;
using Npgsql;

namespace Keyway.Tests.Admin;

/// <summary>
/// What the admin API's 503 says for each database failure a retry may cure: a PostgreSQL deadlock or serialization
/// failure (https://www.postgresql.org/docs/current/errcodes-appendix.html, 40P01 and 40001) is a conflict with a
/// concurrent change, not the database being away.
/// </summary>
public sealed class AdminUnavailableDetailTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.DeadlockDetected, AdminErrors.DatabaseConflict)]
    [InlineData(PostgresErrorCodes.SerializationFailure, AdminErrors.DatabaseConflict)]
    [InlineData(PostgresErrorCodes.LockNotAvailable, AdminErrors.DatabaseRowLocked)]
    [InlineData(PostgresErrorCodes.AdminShutdown, AdminErrors.DatabaseUnavailable)]
    public void PostgresFailure_IsRetryable_AndSaysWhatHappened(string sqlState, string detail)
    {
        var failure = new PostgresException("failed", "ERROR", "ERROR", sqlState);

        Assert.True(DatabaseUnavailable.Is(failure));
        Assert.Equal(detail, AdminProblemFilter.UnavailableDetail(failure));
    }
}
