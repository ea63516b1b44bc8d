namespace Keyway.Storage;

/// <summary>The rows of a stats read, column by column: <see cref="SqliteRows"/> on SQLite, <see cref="DataReaderRows"/> on PostgreSQL.</summary>
internal interface IStatsRows : IAsyncDisposable
{
    /// <summary>Moves to the next row: false after the last.</summary>
    ValueTask<bool> ReadAsync(CancellationToken cancellationToken);

    long Integer(int column);

    long? NullableInteger(int column);

    string Text(int column);

    string? NullableText(int column);
}
