using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Every PostgreSQL connection Keyway opens, handing out commands that never wait for ever: Dapper.AOT sets each
/// command's timeout to 0 (no limit) unless the call names one, and a statement on a connection lost without a FIN or
/// RST (a failover, a NAT or firewall dropping its state) then waited for ever, whatever KEYWAY_DATABASE_URL's
/// <c>Command Timeout</c> said. Here a 0 keeps that setting (Npgsql's default: 30 s without an answer), after which Npgsql
/// cancels the statement and breaks the connection, which never goes back to the pool.
/// Inside a <see cref="DatabaseDeadline"/> (an admin request) a statement also waits no longer than the deadline has left,
/// and before one it sets the session's lock_timeout to that time (<see cref="PostgresLockTimeout"/>), so the lock waits
/// of all the statements of one call stay within the deadline together. Set once when the connection opened, each
/// statement could wait that long again, and a call of several statements overran the deadline by a multiple.
/// Npgsql's connection is sealed, so this one wraps it; the request-log writer's COPY and the configuration watcher's
/// LISTEN use Npgsql's own (<see cref="Inner"/>), never inside a deadline.
/// </summary>
internal sealed class BoundedPostgresConnection(NpgsqlConnection connection) : DbConnection
{
    // A setting this recent is left as it is: a statement then waits at most this much past the deadline, and a run of
    // quick statements (the usual admin call) costs no round trip each, only the first one and those after a slow one.
    private static readonly TimeSpan Reuse = TimeSpan.FromMilliseconds(100);

    private long _setAt;

    // A setting made inside a transaction is undone when that transaction rolls back.
    private NpgsqlTransaction? _setIn;

    /// <summary>Npgsql's own connection, for what only it offers (COPY, LISTEN's waits).</summary>
    internal NpgsqlConnection Inner => connection;

    [AllowNull]
    public override string ConnectionString
    {
        get => connection.ConnectionString;
        set => connection.ConnectionString = value;
    }

    public override string Database => connection.Database;

    public override string DataSource => connection.DataSource;

    public override string ServerVersion => connection.ServerVersion;

    public override ConnectionState State => connection.State;

    public override void ChangeDatabase(string databaseName) => connection.ChangeDatabase(databaseName);

    public override void Open() => connection.Open();

    public override Task OpenAsync(CancellationToken cancellationToken) => connection.OpenAsync(cancellationToken);

    public override void Close() => connection.Close();

    public override Task CloseAsync() => connection.CloseAsync();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        new BoundedTransaction(this, connection.BeginTransaction(isolationLevel));

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        new BoundedTransaction(this, await connection.BeginTransactionAsync(isolationLevel, cancellationToken));

    protected override DbCommand CreateDbCommand() => new BoundedCommand(this) { Connection = connection };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            connection.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        await base.DisposeAsync();
    }

    private void BoundLockWaits(NpgsqlTransaction? transaction)
    {
        if (!IsSetFor(transaction) && DatabaseDeadline.Remaining is { } remaining)
        {
            var at = Stopwatch.GetTimestamp();
            PostgresLockTimeout.Apply(connection, transaction, remaining);
            (_setAt, _setIn) = (at, transaction);
        }
    }

    private async Task BoundLockWaitsAsync(NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (!IsSetFor(transaction) && DatabaseDeadline.Remaining is { } remaining)
        {
            var at = Stopwatch.GetTimestamp();
            await PostgresLockTimeout.ApplyAsync(connection, transaction, remaining, cancellationToken);
            (_setAt, _setIn) = (at, transaction);
        }
    }

    /// <summary>Whether the lock_timeout set last still holds for a statement in <paramref name="transaction"/>.</summary>
    private bool IsSetFor(NpgsqlTransaction? transaction) =>
        _setAt != 0 && Stopwatch.GetElapsedTime(_setAt) < Reuse && (_setIn is null || _setIn == transaction);

    /// <summary>
    /// An Npgsql command that bounds its lock waits first. Dapper hands it the wrappers, which it unwraps: Npgsql reads
    /// its connection and transaction back as its own types.
    /// </summary>
    private sealed class BoundedCommand(BoundedPostgresConnection owner) : NpgsqlCommand
    {
        /// <summary>Seconds without an answer before Npgsql gives the statement up; a 0 (Dapper.AOT's, for "no limit") keeps the connection's.</summary>
        public override int CommandTimeout
        {
            get => DatabaseDeadline.Remaining is { } remaining
                ? Math.Min(base.CommandTimeout, Math.Max(1, (int)Math.Ceiling(remaining.TotalSeconds)))
                : base.CommandTimeout;
            set
            {
                if (value != 0)
                {
                    base.CommandTimeout = value;
                }
            }
        }

        protected override DbConnection? DbConnection
        {
            set => base.DbConnection = value == owner ? owner.Inner : value;
        }

        protected override DbTransaction? DbTransaction
        {
            set => base.DbTransaction = value is BoundedTransaction bounded ? bounded.Inner : value;
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            owner.BoundLockWaits(Transaction);
            return base.ExecuteDbDataReader(behavior);
        }

        protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
        {
            await owner.BoundLockWaitsAsync(Transaction, cancellationToken);
            return await base.ExecuteDbDataReaderAsync(behavior, cancellationToken);
        }

        public override int ExecuteNonQuery()
        {
            owner.BoundLockWaits(Transaction);
            return base.ExecuteNonQuery();
        }

        public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
        {
            await owner.BoundLockWaitsAsync(Transaction, cancellationToken);
            return await base.ExecuteNonQueryAsync(cancellationToken);
        }

        public override object? ExecuteScalar()
        {
            owner.BoundLockWaits(Transaction);
            return base.ExecuteScalar();
        }

        public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
        {
            await owner.BoundLockWaitsAsync(Transaction, cancellationToken);
            return await base.ExecuteScalarAsync(cancellationToken);
        }
    }


    /// <summary>Npgsql's transaction, answering with the wrapper as its connection.</summary>
    private sealed class BoundedTransaction(BoundedPostgresConnection owner, NpgsqlTransaction transaction) : DbTransaction
    {
        public NpgsqlTransaction Inner => transaction;

        public override IsolationLevel IsolationLevel => transaction.IsolationLevel;

        protected override DbConnection DbConnection => owner;

        public override void Commit() => transaction.Commit();

        public override Task CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

        public override void Rollback() => transaction.Rollback();

        public override Task RollbackAsync(CancellationToken cancellationToken = default) => transaction.RollbackAsync(cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                transaction.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
