using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Keyway.Storage;

/// <summary>
/// SQLite's bind, step, reset and column reads called straight into the e_sqlite3 library that SQLitePCL loads, for the
/// request-log writer's prepared INSERT (~25 values per row) and the stats' read of a window's rows (<see cref="SqliteRows"/>). Through SQLitePCL each call went through its provider interface and
/// took and released the statement's SafeHandle, and text was bound as UTF-16 for SQLite to convert: 17% of the writer
/// thread's CPU (bench/RESULTS.md, 2026-12-03 19:15). Text is bound as UTF-8, which SQLite stores as given.
/// The statement stays owned by its <see cref="SQLitePCL.sqlite3_stmt"/>, which finalizes it.
/// </summary>
internal static class SqliteStatementCalls
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the text before the bind returns, so the buffer can be reused at once.</summary>
    private const nint Transient = -1;

    private const int StackTextBytes = 1024;

    public static int BindInteger(nint statement, int parameter, long? value) =>
        value is { } number ? sqlite3_bind_int64(statement, parameter, number) : sqlite3_bind_null(statement, parameter);

    public static int BindText(nint statement, int parameter, string? value)
    {
        if (value is null)
        {
            return sqlite3_bind_null(statement, parameter);
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        // Never empty, so the pointer handed over is never null (a null pointer would bind NULL instead of ''); only
        // as long as the text needs, as stack space is cleared first (clearing 1 KB per value was 1.6% of the writer).
        var buffer = maxBytes <= StackTextBytes ? stackalloc byte[maxBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, buffer);
            return sqlite3_bind_text(statement, parameter, ref MemoryMarshal.GetReference(buffer), length, Transient);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static int Step(nint statement) => sqlite3_step(statement);

    public static int Reset(nint statement) => sqlite3_reset(statement);

    public static int ColumnType(nint statement, int column) => sqlite3_column_type(statement, column);

    public static long ColumnInteger(nint statement, int column) => sqlite3_column_int64(statement, column);

    /// <summary>
    /// A text column's UTF-8 bytes, copied into <paramref name="buffer"/> (grown when too small), valid until the next call
    /// on the row. SQLite's pointer comes first, then its length, as its documentation asks.
    /// </summary>
    public static ReadOnlySpan<byte> ColumnText(nint statement, int column, ref byte[] buffer)
    {
        var text = sqlite3_column_text(statement, column);
        var length = sqlite3_column_bytes(statement, column);
        if (length > buffer.Length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }
        if (length > 0)
        {
            Marshal.Copy(text, buffer, 0, length);
        }
        return buffer.AsSpan(0, length);
    }

    /// <summary>Throws what Microsoft.Data.Sqlite throws for a failed call (<see cref="SqliteException"/>, SQLite's message).</summary>
    public static void Check(sqlite3 database, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, database);
        }
    }

    [DllImport(Library)]
    private static extern int sqlite3_bind_int64(nint statement, int parameter, long value);

    [DllImport(Library)]
    private static extern int sqlite3_bind_null(nint statement, int parameter);

    [DllImport(Library)]
    private static extern int sqlite3_bind_text(nint statement, int parameter, ref byte utf8, int length, nint destructor);

    [DllImport(Library)]
    private static extern int sqlite3_step(nint statement);

    [DllImport(Library)]
    private static extern int sqlite3_reset(nint statement);

    [DllImport(Library)]
    private static extern int sqlite3_column_type(nint statement, int column);

    [DllImport(Library)]
    private static extern long sqlite3_column_int64(nint statement, int column);

    [DllImport(Library)]
    private static extern nint sqlite3_column_text(nint statement, int column);

    [DllImport(Library)]
    private static extern int sqlite3_column_bytes(nint statement, int column);
}
