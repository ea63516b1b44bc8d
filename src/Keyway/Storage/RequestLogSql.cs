using System.Data.Common;
using System.Globalization;

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
        AddKeyEquals(conditions, parameters, filter);
        AddEquals(conditions, parameters, "instance_id", filter.InstanceId);
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

    /// <summary>
    /// The WHERE over request_log_days for <paramref name="filter"/>, or null when the filter names what the roll-up does
    /// not keep (a status code, success or failure, an instance): such stats read raw rows only. A rolled-up day counts
    /// whole when the time range touches it.
    /// </summary>
    public static string? RolledUpWhere(RequestLogFilter filter, Dictionary<string, object?> parameters)
    {
        if (filter.StatusCode is not null || filter.Succeeded is not null || filter.InstanceId is not null)
        {
            return null;
        }
        var conditions = new List<string>();
        AddKeyEquals(conditions, parameters, filter);
        AddDay(conditions, parameters, ">=", "since_day", filter.Since);
        AddDay(conditions, parameters, "<=", "until_day", filter.Until);
        return conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
    }

    public static long? NullableInt64(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string? NullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The key columns request_logs and request_log_days share.</summary>
    private static void AddKeyEquals(List<string> conditions, Dictionary<string, object?> parameters, RequestLogFilter filter)
    {
        AddEquals(conditions, parameters, "api_key_id", filter.ApiKeyId);
        AddEquals(conditions, parameters, "group_id", filter.GroupId);
        AddEquals(conditions, parameters, "route_alias", filter.RouteAlias);
        AddEquals(conditions, parameters, "provider_id", filter.ProviderId);
    }

    private static void AddEquals(List<string> conditions, Dictionary<string, object?> parameters, string column, string? value)
    {
        if (value is null)
        {
            return;
        }
        conditions.Add($"{column} = @{column}");
        parameters[column] = value;
    }

    private static void AddDay(List<string> conditions, Dictionary<string, object?> parameters, string comparison, string name, DateTimeOffset? time)
    {
        if (time is not { } instant)
        {
            return;
        }
        conditions.Add($"day {comparison} @{name}");
        parameters[name] = instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
