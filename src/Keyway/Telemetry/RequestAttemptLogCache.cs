namespace Keyway.Telemetry;

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
