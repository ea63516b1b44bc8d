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

/// <summary>
/// The attempt_log text of a writer's rows. Most rows carry one attempt, and a route's traffic repeats the same provider,
/// key and status, so those logs are serialized once and the same string is handed out again (serializing each was ~6%
/// of the request-log writer's CPU, bench/RESULTS.md); the request-log writer binds a string it bound for the row
/// before without encoding it again. One per writer, used from one thread at a time; bounded.
/// </summary>
public sealed class RequestAttemptLogCache
{
    private const int MaxEntries = 256;

    private readonly Dictionary<RequestAttempt, string> _singleAttempts = [];

    public string? Serialize(IReadOnlyList<RequestAttempt>? attempts)
    {
        if (attempts is not [var attempt])
        {
            return RequestAttemptLog.Serialize(attempts);
        }
        if (_singleAttempts.TryGetValue(attempt, out var cached))
        {
            return cached;
        }
        if (_singleAttempts.Count == MaxEntries)
        {
            _singleAttempts.Clear();
        }
        return _singleAttempts[attempt] = RequestAttemptLog.Serialize(attempts)!;
    }
}
