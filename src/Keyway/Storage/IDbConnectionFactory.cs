using System.Data.Common;

namespace Keyway.Storage;

/// <summary>Opens connections to the configured database; the dialect picks the migration scripts.</summary>
public interface IDbConnectionFactory
{
    string Dialect { get; }

    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One line for an operator whose database could not be opened: which one (never a password), why, and which
    /// setting to check.
    /// </summary>
    string CannotOpen(DbException failure);

    /// <summary>
    /// For a refusal on a full disk: "The disk holding … has N bytes free", of the disk holding a SQLite database; null for
    /// PostgreSQL, whose disk is its server's.
    /// </summary>
    string? FreeSpace();
}
