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

    /// <summary>How long opening a connection may take, unless KEYWAY_DATABASE_URL sets <c>Timeout</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;

    public PostgresConnectionFactory(string databaseUrl)
    {
        var builder = PostgresConnectionString.Parse(databaseUrl);
        builder.MaxAutoPrepare = builder.MaxAutoPrepare == 0 ? 32 : builder.MaxAutoPrepare;
        // A server that accepts connections but answers nothing (hung, stopped with SIGSTOP, a dead peer behind a
        // proxy) held each new connection, and each cancellation Npgsql sends on its own connection after a timeout,
        // for Npgsql's 15 s: an admin call took 40-60 s to answer 503. A server that runs answers within milliseconds.
        // (Npgsql's builder says every keyword it knows is contained: a plain one says which ones the URL set.)
        if (!new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey(nameof(builder.Timeout)))
        {
            builder.Timeout = (int)DefaultConnectTimeout.TotalSeconds;
        }
        builder.ApplicationName ??= "keyway";
        ConnectionString = builder.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The effective Npgsql connection string (with the password, for a dedicated LISTEN connection).</summary>
    public string ConnectionString { get; }

    public string Dialect => DialectName;

    /// <summary>
    /// A pooled connection whose statements never wait for ever, and inside a <see cref="DatabaseDeadline"/> (an admin
    /// request) bound their waits by the time left (<see cref="BoundedPostgresConnection"/>).
    /// </summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        new BoundedPostgresConnection(await _dataSource.OpenConnectionAsync(cancellationToken));

    /// <summary>Npgsql's own connection behind one <see cref="OpenAsync"/> returned, for COPY and LISTEN.</summary>
    public static NpgsqlConnection Npgsql(DbConnection connection) => ((BoundedPostgresConnection)connection).Inner;

    /// <summary>
    /// Where and as whom: nothing listening, a database or role missing and a refused password all read differently,
    /// and Npgsql's own exception message names only the first. A server out of connections (or memory, or disk) says
    /// what to change on it instead (<see cref="OutOfResources"/>).
    /// </summary>
    public string CannotOpen(DbException failure)
    {
        var target = new NpgsqlConnectionStringBuilder(ConnectionString);
        var reason = failure is PostgresException postgres ? postgres.MessageText : failure.GetBaseException().Message;
        var remedy = OutOfResources.Remedy(failure, FreeSpace) is { } fix ? $"{fix}, then start Keyway again." : "Check KEYWAY_DATABASE_URL and that the server runs.";
        return $"cannot open PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}' as role '{target.Username}': {reason}. {remedy}";
    }

    public string? FreeSpace() => null;

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
