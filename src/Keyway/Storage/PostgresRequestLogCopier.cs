using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Keyway.Telemetry;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// PostgreSQL's writer: each batch is one binary COPY, a single statement (all rows or none) sent in one stream. Row-by-row
/// INSERTs cost ~160 µs of Keyway's CPU per row and Npgsql's binary importer ~25 µs (it resolves a parameter per value),
/// so under load the writer took the request path's CPU and fell behind (bench/RESULTS.md); here the rows are encoded
/// in one pass (~9 µs a row). Every column of request_logs is BIGINT or TEXT.
/// A batch with a <see cref="RequestLogBatchPosition"/> also moves its writer's mark in request_log_writers (the place of
/// its last row) in the same transaction. A commit can be cut off from its answer (the connection lost after the server
/// committed): the writer then retries the batch on a new connection, and that try's first statement reads the mark,
/// waiting for a transaction of the earlier try that may still hold it, so the rows at or before it are not written twice.
/// </summary>
public sealed class PostgresRequestLogCopier(NpgsqlConnection connection, string? instanceId) : RequestLogBatchInserter(connection, instanceId)
{
    private static readonly string CopySql = $"COPY request_logs ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY)";

    private const string ReadMarkSql = "SELECT last_row FROM request_log_writers WHERE writer_id = @writer FOR UPDATE";

    private const string MoveMarkSql =
        "INSERT INTO request_log_writers (writer_id, last_row, written_at) VALUES (@writer, @last, @at) " +
        "ON CONFLICT (writer_id) DO UPDATE SET last_row = excluded.last_row, written_at = excluded.written_at";

    private readonly ArrayBufferWriter<byte> _rows = new(64 * 1024);

    // Whether the writer's mark is known to be just before the next batch: true once a batch committed on this connection.
    private bool _markKnown;

    public override async Task InsertAsync(
        IReadOnlyList<RequestLogEntry> entries, RequestLogBatchPosition? position, WorkSlice? slice, CancellationToken cancellationToken)
    {
        if (position is not { } at)
        {
            await CopyAsync(entries, slice, cancellationToken);
            return;
        }
        var markKnown = _markKnown;
        _markKnown = false;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var committedBefore = markKnown ? 0 : await CommittedAlreadyAsync(at, entries.Count, transaction, cancellationToken);
        if (committedBefore < entries.Count)
        {
            await using (var move = new NpgsqlCommand(MoveMarkSql, connection, transaction))
            {
                move.Parameters.AddWithValue("writer", at.WriterId);
                move.Parameters.AddWithValue("last", at.FirstRow + entries.Count - 1);
                move.Parameters.AddWithValue("at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await move.ExecuteNonQueryAsync(cancellationToken);
            }
            await CopyAsync(committedBefore == 0 ? entries : [.. entries.Skip(committedBefore)], slice, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        _markKnown = true;
    }

    /// <summary>How many of the batch's first rows an earlier try committed, as the writer's mark says (none without one).</summary>
    private async Task<int> CommittedAlreadyAsync(RequestLogBatchPosition at, int rows, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand(ReadMarkSql, connection, transaction);
        read.Parameters.AddWithValue("writer", at.WriterId);
        return await read.ExecuteScalarAsync(cancellationToken) is long lastRow
            ? (int)Math.Clamp(lastRow - at.FirstRow + 1, 0, rows)
            : 0;
    }

    private async Task CopyAsync(IReadOnlyList<RequestLogEntry> entries, WorkSlice? slice, CancellationToken cancellationToken)
    {
        slice?.Start();
        _rows.ResetWrittenCount();
        WriteHeader(_rows);
        foreach (var entry in entries)
        {
            WriteInt16(_rows, (short)Columns.Length);
            var fields = new CopyFields(_rows);
            WriteRow(entry, ref fields);
            slice?.Step();
        }
        WriteInt16(_rows, -1);
        var copy = await connection.BeginRawBinaryCopyAsync(CopySql, cancellationToken);
        try
        {
            await copy.WriteAsync(_rows.WrittenMemory, cancellationToken);
        }
        catch
        {
            // Disposing a copy completes what was sent: cancel it, so a retried batch is never half in already.
            await copy.CancelAsync();
            await copy.DisposeAsync();
            throw;
        }
        await copy.DisposeAsync();
    }

    /// <summary>The signature, the flags and the header-extension length (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4).</summary>
    private static void WriteHeader(ArrayBufferWriter<byte> rows)
    {
        rows.Write("PGCOPY\n"u8);
        rows.Write<byte>([0xFF, (byte)'\r', (byte)'\n', 0]);
        WriteInt32(rows, 0);
        WriteInt32(rows, 0);
    }

    /// <summary>A tuple's fields after its field count: each as its length (-1 for null) and its bytes.</summary>
    private readonly struct CopyFields(ArrayBufferWriter<byte> rows) : IRowSink
    {
        public void Integer(long? value)
        {
            if (value is not { } number)
            {
                WriteInt32(rows, -1);
                return;
            }
            WriteInt32(rows, sizeof(long));
            BinaryPrimitives.WriteInt64BigEndian(rows.GetSpan(sizeof(long)), number);
            rows.Advance(sizeof(long));
        }

        public void Text(string? value)
        {
            if (value is null)
            {
                WriteInt32(rows, -1);
                return;
            }
            WriteText(rows, value);
        }
    }

    private static void WriteText(ArrayBufferWriter<byte> rows, string text)
    {
        var storable = Storable(text);
        var length = Encoding.UTF8.GetBytes(storable, rows.GetSpan(sizeof(int) + Encoding.UTF8.GetMaxByteCount(storable.Length))[sizeof(int)..]);
        BinaryPrimitives.WriteInt32BigEndian(rows.GetSpan(sizeof(int)), length);
        rows.Advance(sizeof(int) + length);
    }

    private static void WriteInt16(ArrayBufferWriter<byte> rows, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(rows.GetSpan(sizeof(short)), value);
        rows.Advance(sizeof(short));
    }

    private static void WriteInt32(ArrayBufferWriter<byte> rows, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(rows.GetSpan(sizeof(int)), value);
        rows.Advance(sizeof(int));
    }
}
