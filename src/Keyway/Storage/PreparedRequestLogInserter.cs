using System.Data.Common;
using Keyway.Telemetry;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Keyway.Storage;

/// <summary>
/// SQLite's writer: INSERTs prepared once on the connection's own handle and reused for every batch, each batch one
/// transaction. Rows go in groups of <see cref="RowsPerGroup"/> through one multi-row INSERT, the rest of a batch one by
/// one: each statement opens its cursors on the table and its three indexes and runs SQLite's program once, which a
/// group shares (a C harness on the real schema: 5.8–7.3 → 4.4–4.9 µs a row; the writer thread 5.4–6.6 → 4.4–5.0 µs a request at 32 connections, bench/RESULTS.md 2026-12-06 09:05).
/// Values are bound straight into SQLite (<see cref="SqliteStatementCalls"/>); Microsoft.Data.Sqlite's parameters
/// allocate a binder and a UTF-8 copy per value: ~4.6 KB and ~50 µs of the gateway's CPU per row, bench/RESULTS.md.
/// SQLite keeps a statement's bindings across resets, so a value equal to the one the parameter holds from the row
/// before in the same place (a route's steady traffic repeats its group, key, route, provider, model, endpoint and the
/// NULLs of unused columns) is not bound again: of a row's 30 values, usually about 5 change.
/// </summary>
public sealed class PreparedRequestLogInserter : RequestLogBatchInserter
{
    /// <summary>Rows one multi-row INSERT takes: most of what a group saves, in a slice of the writer's work well under <see cref="WorkSlice.DefaultLength"/>.</summary>
    public const int RowsPerGroup = 8;

    private readonly sqlite3 _database;
    private readonly PreparedInsert _single;
    private readonly PreparedInsert _group;

    private PreparedRequestLogInserter(SqliteConnection connection, PreparedInsert single, PreparedInsert group, string? instanceId)
        : base(connection, instanceId)
    {
        _database = connection.Handle!;
        _single = single;
        _group = group;
    }

    public static Task<PreparedRequestLogInserter> PrepareAsync(DbConnection connection, string? instanceId, CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        var single = PreparedInsert.Prepare(sqlite.Handle!, 1);
        try
        {
            var group = PreparedInsert.Prepare(sqlite.Handle!, RowsPerGroup);
            return Task.FromResult(new PreparedRequestLogInserter(sqlite, single, group, instanceId));
        }
        catch
        {
            single.Dispose();
            throw;
        }
    }

    /// <remarks>
    /// The <paramref name="position"/> is not needed here: a SQLite commit either returns or throws, it is never cut off
    /// from its answer as a PostgreSQL one can be.
    /// </remarks>
    public override async Task InsertAsync(
        IReadOnlyList<RequestLogEntry> entries, RequestLogBatchPosition? position, WorkSlice? slice, CancellationToken cancellationToken)
    {
        slice?.Start();
        await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
        var next = 0;
        while (next < entries.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var insert = entries.Count - next >= RowsPerGroup ? _group : _single;
            Insert(insert, entries, next);
            next += insert.Rows;
            slice?.Step();
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Binds <paramref name="insert"/>'s rows from <paramref name="entries"/>[<paramref name="first"/>] on and runs it once.</summary>
    private void Insert(PreparedInsert insert, IReadOnlyList<RequestLogEntry> entries, int first)
    {
        var statement = insert.Statement.DangerousGetHandle();
        try
        {
            for (var row = 0; row < insert.Rows; row++)
            {
                var binder = new StatementBinder(_database, statement, insert.Bound, row * Columns.Length);
                WriteRow(entries[first + row], ref binder);
            }
            var step = SqliteStatementCalls.Step(statement);
            if (step != raw.SQLITE_DONE)
            {
                SqliteStatementCalls.Check(_database, step);
            }
        }
        finally
        {
            SqliteStatementCalls.Reset(statement);
        }
    }

    /// <summary>An INSERT of <see cref="Rows"/> rows and what each of its parameters holds.</summary>
    private sealed class PreparedInsert(sqlite3_stmt statement, int rows) : IDisposable
    {
        public sqlite3_stmt Statement => statement;

        public int Rows => rows;

        public BoundValue[] Bound { get; } = new BoundValue[rows * Columns.Length];

        public static PreparedInsert Prepare(sqlite3 database, int rows)
        {
            var row = $"({string.Join(", ", Enumerable.Repeat("?", Columns.Length))})";
            var sql = $"INSERT INTO request_logs ({string.Join(", ", Columns)}) VALUES {string.Join(", ", Enumerable.Repeat(row, rows))}";
            SqliteStatementCalls.Check(database, raw.sqlite3_prepare_v2(database, sql, out var statement));
            return new PreparedInsert(statement, rows);
        }

        public void Dispose() => statement.Dispose();
    }

    /// <summary>
    /// Binds a row's values to the INSERT's parameters from the one after <paramref name="parametersBefore"/> on, in the
    /// order they come, each unless it holds it already.
    /// </summary>
    private struct StatementBinder(sqlite3 database, nint statement, BoundValue[] bound, int parametersBefore) : IRowSink
    {
        private int _parameter = parametersBefore;

        public void Integer(long? value)
        {
            ref var held = ref bound[_parameter++];
            if (held.Integer == value)
            {
                return;
            }
            SqliteStatementCalls.Check(database, SqliteStatementCalls.BindInteger(statement, _parameter, value));
            held = new BoundValue(value, null);
        }

        public void Text(string? value)
        {
            ref var held = ref bound[_parameter++];
            if (string.Equals(held.Text, value, StringComparison.Ordinal))
            {
                return;
            }
            SqliteStatementCalls.Check(database, SqliteStatementCalls.BindText(statement, _parameter, value is null ? null : Storable(value)));
            held = new BoundValue(null, value);
        }
    }

    /// <summary>
    /// What a parameter holds: a whole number or a text as the row gave it, null for NULL — which is also what a freshly
    /// prepared statement's parameters hold before their first bind, as this default value says.
    /// </summary>
    private readonly record struct BoundValue(long? Integer, string? Text);

    /// <summary>A failed call becomes the <see cref="SqliteException"/> Microsoft.Data.Sqlite would throw (its code is what the writer reads).</summary>
    public override async ValueTask DisposeAsync()
    {
        _single.Dispose();
        _group.Dispose();
        await base.DisposeAsync();
    }
}
