using System.Data.Common;
using Keyway.Storage;
using Microsoft.Data.Sqlite;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A real database whose disk can be declared full: while <see cref="Full"/> is set, opening a connection fails with
/// SQLite's own SQLITE_FULL error, as a data dir on a full file system does. With <see cref="PagesLeft"/>, a connection
/// opens but its file may grow by that many pages only (SQLite's <c>max_page_count</c>): the write that needs more fails
/// with SQLITE_FULL from SQLite itself, mid-statement, as on a disk that fills up while it runs.
/// </summary>
internal sealed class FullDisk(IDbConnectionFactory inner) : IDbConnectionFactory
{
    private const int SqliteFull = 13;

    /// <summary>SQLite's own limit, which a pooled connection limited before gets back when the disk has room again.</summary>
    private const long SqliteMaxPages = 4294967294;

    private volatile bool _full;

    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    public string Dialect => inner.Dialect;

    public string CannotOpen(DbException failure) => inner.CannotOpen(failure);

    public string? FreeSpace() => inner.FreeSpace();

    /// <summary>How many pages the database file may still grow by, on connections opened from now on; null for no limit.</summary>
    public int? PagesLeft { get; set; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_full)
        {
            throw new SqliteException("SQLite Error 13: 'database or disk is full'.", SqliteFull);
        }
        var connection = await inner.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        var pages = PagesLeft is { } left ? (long)(await command.ExecuteScalarAsync(cancellationToken))! + left : SqliteMaxPages;
        command.CommandText = $"PRAGMA max_page_count = {pages}";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
