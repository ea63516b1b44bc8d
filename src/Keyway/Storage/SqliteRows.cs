using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Keyway.Storage;

/// <summary>
/// A SELECT stepped and read straight through e_sqlite3 (<see cref="SqliteStatementCalls"/>), for the stats' read of every
/// row of a window. Through Microsoft.Data.Sqlite each column cost ~0.1 µs (two or three calls through SQLitePCL's
/// provider, each taking and releasing the statement's SafeHandle, and a new string for every text): 2.7–2.9 s of the
/// ~3 s that the breakdowns of a million rows took (bench/RESULTS.md, 2026-12-08). A text read before comes back as
/// the same string, as a window's rows repeat a few groups, aliases, providers and keys.
/// </summary>
internal sealed class SqliteRows : IStatsRows
{
    private const int SqliteNull = 5;
    private const int StackTextChars = 256;

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly nint _handle;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _texts =
        new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private byte[] _utf8 = new byte[StackTextChars];

    private SqliteRows(sqlite3 database, sqlite3_stmt statement)
    {
        _database = database;
        _statement = statement;
        _handle = statement.DangerousGetHandle();
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> on <paramref name="connection"/>'s handle with each of <paramref name="parameters"/>
    /// (an integer or a text, null as NULL) bound to its <c>@name</c>.
    /// </summary>
    public static SqliteRows Select(SqliteConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        var database = connection.Handle!;
        SqliteStatementCalls.Check(database, raw.sqlite3_prepare_v2(database, sql, out var statement));
        var rows = new SqliteRows(database, statement);
        try
        {
            foreach (var (name, value) in parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, "@" + name);
                SqliteStatementCalls.Check(database, value switch
                {
                    null => SqliteStatementCalls.BindInteger(rows._handle, index, null),
                    long number => SqliteStatementCalls.BindInteger(rows._handle, index, number),
                    int number => SqliteStatementCalls.BindInteger(rows._handle, index, number),
                    string text => SqliteStatementCalls.BindText(rows._handle, index, text),
                    _ => throw new ArgumentException($"@{name}: a {value.GetType().Name} is neither an integer nor a text", nameof(parameters)),
                });
            }
            return rows;
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    /// <summary>Steps to the next row: false after the last. SQLite reads the file in the call, as Microsoft.Data.Sqlite does.</summary>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = SqliteStatementCalls.Step(_handle);
        if (result != raw.SQLITE_ROW && result != raw.SQLITE_DONE)
        {
            SqliteStatementCalls.Check(_database, result);
        }
        return ValueTask.FromResult(result == raw.SQLITE_ROW);
    }

    public long Integer(int column) => SqliteStatementCalls.ColumnInteger(_handle, column);

    public long? NullableInteger(int column) => IsNull(column) ? null : Integer(column);

    public string Text(int column)
    {
        var utf8 = SqliteStatementCalls.ColumnText(_handle, column, ref _utf8);
        if (Encoding.UTF8.GetMaxCharCount(utf8.Length) > StackTextChars)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        Span<char> chars = stackalloc char[StackTextChars];
        var read = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (!_texts.TryGetValue(read, out var text))
        {
            text = read.ToString();
            _texts.Dictionary.Add(text, text);
        }
        return text;
    }

    public string? NullableText(int column) => IsNull(column) ? null : Text(column);

    public ValueTask DisposeAsync()
    {
        _statement.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool IsNull(int column) => SqliteStatementCalls.ColumnType(_handle, column) == SqliteNull;

}
