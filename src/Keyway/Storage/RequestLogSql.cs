using System.Data.Common;

namespace Keyway.Storage;

/// <summary>
/// Shared by the request-log repositories: the WHERE clause of a <see cref="RequestLogFilter"/>, built
/// only from fixed fragments with values as parameters (bound by <see cref="StorageCommand"/>: Dapper.AOT cannot bind
/// SQL built at run time), and null-aware column reads.
/// </summary>
internal static class RequestLogSql
{
    public static string Where(RequestLogFilter filter, Dictionary<string, object?> parameters, params string[] extraConditions)
    {
        var conditions = new List<string>(extraConditions);
        AddEquals(conditions, parameters, "api_key_id", filter.ApiKeyId);
        AddEquals(conditions, parameters, "group_id", filter.GroupId);
        AddEquals(conditions, parameters, "route_alias", filter.RouteAlias);
        AddEquals(conditions, parameters, "provider_id", filter.ProviderId);
        if (filter.StatusCode is { } status)
        {
            conditions.Add("status_code = @status_code");
            parameters["status_code"] = status;
        }
        if (filter.Succeeded is { } succeeded)
        {
            conditions.Add(succeeded ? "status_code BETWEEN 200 AND 299" : "status_code NOT BETWEEN 200 AND 299");
        }
        if (filter.Since is { } since)
        {
            conditions.Add("created_at >= @since");
            parameters["since"] = since.ToUnixTimeMilliseconds();
        }
        if (filter.Until is { } until)
        {
            conditions.Add("created_at <= @until");
            parameters["until"] = until.ToUnixTimeMilliseconds();
        }
        return conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
    }

    public static long? NullableInt64(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string? NullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void AddEquals(List<string> conditions, Dictionary<string, object?> parameters, string column, string? value)
    {
        if (value is null)
        {
            return;
        }
        conditions.Add($"{column} = @{column}");
        parameters[column] = value;
    }
}
