using System.Data.Common;
using Keyway.Storage;
using Microsoft.Data.Sqlite;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A real database whose disk can be declared full: while <see cref="Full"/> is set, opening a connection fails with
/// SQLite's own SQLITE_FULL error, as a data dir on a full file system does.
/// </summary>
internal sealed class FullDisk(IDbConnectionFactory inner) : IDbConnectionFactory
{
    private const int SqliteFull = 13;
    private volatile bool _full;

    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    public string Dialect => inner.Dialect;

    public string CannotOpen(DbException failure) => inner.CannotOpen(failure);

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _full
        ? Task.FromException<DbConnection>(new SqliteException("SQLite Error 13: 'database or disk is full'.", SqliteFull))
        : inner.OpenAsync(cancellationToken);
}
