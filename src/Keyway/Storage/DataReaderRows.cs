using System.Data.Common;

namespace Keyway.Storage;

/// <summary>A stats read through ADO.NET's reader: PostgreSQL's, whose Npgsql reads a buffered binary row column by column.</summary>
internal sealed class DataReaderRows(DbCommand command, DbDataReader reader) : IStatsRows
{
    public static async Task<DataReaderRows> SelectAsync(
        DbConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand(sql, parameters);
        try
        {
            return new DataReaderRows(command, await command.ExecuteReaderAsync(cancellationToken));
        }
        catch
        {
            await command.DisposeAsync();
            throw;
        }
    }

    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken) => await reader.ReadAsync(cancellationToken);

    public long Integer(int column) => reader.GetInt64(column);

    public long? NullableInteger(int column) => reader.NullableInt64(column);

    public string Text(int column) => reader.GetString(column);

    public string? NullableText(int column) => reader.NullableString(column);

    public async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync();
        await command.DisposeAsync();
    }
}
