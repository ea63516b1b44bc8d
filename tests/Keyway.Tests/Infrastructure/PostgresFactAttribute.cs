namespace Keyway.Tests.Infrastructure;

/// <summary>A test that needs the PostgreSQL test cluster: skipped (and shown as skipped) when KEYWAY_TEST_POSTGRES is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestPostgres.IsEnabled)
        {
            Skip = "needs KEYWAY_TEST_POSTGRES (tools/test.sh starts a PostgreSQL cluster when its binaries exist)";
        }
    }
}
