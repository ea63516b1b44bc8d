using System.Data.Common;

namespace Keyway.Storage;

/// <summary>
/// Plain ADO.NET commands for what Dapper.AOT cannot intercept at build time (reading a DbDataReader, parameters
/// chosen at run time): vanilla Dapper would emit IL there, which Native AOT cannot run.
/// </summary>
internal static class StorageCommand
{
    /// <summary>A text command with each of <paramref name="parameters"/> bound by name, null as DBNull.</summary>
    public static DbCommand CreateCommand(
        this DbConnection connection, string sql, IEnumerable<KeyValuePair<string, object?>> parameters, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
