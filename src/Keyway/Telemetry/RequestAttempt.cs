using System.Text.Json;

namespace Keyway.Telemetry;

/// <summary>One upstream attempt of a request: the provider, the key's name (never its secret) and the status it got (502/504 for no answer).</summary>
public sealed record RequestAttempt(string Provider, string Key, int Status);

/// <summary>The attempt_log column: a compact JSON array of <see cref="RequestAttempt"/>.</summary>
public static class RequestAttemptLog
{
    public static string? Serialize(IReadOnlyList<RequestAttempt>? attempts) =>
        attempts is { Count: > 0 } ? JsonSerializer.Serialize(attempts.ToList(), TelemetryJsonContext.Default.ListRequestAttempt) : null;

    public static IReadOnlyList<RequestAttempt>? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, TelemetryJsonContext.Default.ListRequestAttempt);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
