using System.Globalization;
using System.Text.Json;

namespace Keyway.Storage;

/// <summary>How the web-search columns of request_logs are written: round latencies as <c>812,640</c>, queries as a JSON array.</summary>
internal static class WebSearchLogColumns
{
    public static string? RoundMs(IReadOnlyList<long>? roundMs) =>
        roundMs is { Count: > 0 } ? string.Join(',', roundMs.Select(ms => ms.ToString(CultureInfo.InvariantCulture))) : null;

    public static IReadOnlyList<long>? ParseRoundMs(string? text) =>
        text is null ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ms => long.Parse(ms, CultureInfo.InvariantCulture)).ToArray();

    public static string? Queries(IReadOnlyList<string>? queries) =>
        queries is { Count: > 0 } ? JsonSerializer.Serialize(queries.ToList(), StorageJsonContext.Default.ListString) : null;

    public static IReadOnlyList<string>? ParseQueries(string? text) =>
        text is null ? null : JsonSerializer.Deserialize(text, StorageJsonContext.Default.ListString);
}
