using System.Data.Common;

namespace Keyway.Storage;

/// <summary>Opens connections to the configured database; the dialect picks the migration scripts.</summary>
public interface IDbConnectionFactory
{
    string Dialect { get; }

    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}
