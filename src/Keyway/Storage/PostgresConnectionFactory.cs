using System.Data.Common;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>. Statements run often (the log insert, the snapshot
/// reads) are prepared automatically by Npgsql after a few uses.
/// </summary>
public sealed class PostgresConnectionFactory : IDbConnectionFactory, IAsyncDisposable
{
    public const string DialectName = "postgres";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresConnectionFactory(string databaseUrl)
    {
        var builder = PostgresConnectionString.Parse(databaseUrl);
        builder.MaxAutoPrepare = builder.MaxAutoPrepare == 0 ? 32 : builder.MaxAutoPrepare;
        builder.ApplicationName ??= "keyway";
        ConnectionString = builder.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The effective Npgsql connection string (with the password, for a dedicated LISTEN connection).</summary>
    public string ConnectionString { get; }

    public string Dialect => DialectName;

    /// <summary>
    /// A pooled connection; inside a <see cref="DatabaseDeadline"/> (an admin request) one whose statements bound their
    /// lock waits by the time left (<see cref="BoundedPostgresConnection"/>). The data plane never opens one inside a deadline.
    /// </summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return DatabaseDeadline.Remaining is null ? connection : new BoundedPostgresConnection(connection);
    }

    /// <summary>
    /// Where and as whom: nothing listening, a database or role missing and a refused password all read differently,
    /// and Npgsql's own exception message names only the first.
    /// </summary>
    public string CannotOpen(DbException failure)
    {
        var target = new NpgsqlConnectionStringBuilder(ConnectionString);
        var reason = failure is PostgresException postgres ? postgres.MessageText : failure.GetBaseException().Message;
        return $"cannot open PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}' as role '{target.Username}': {reason}. Check KEYWAY_DATABASE_URL and that the server runs.";
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
