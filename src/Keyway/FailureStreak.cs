namespace Keyway;

/// <summary>
/// What the log says of one background loop's failures. A loop that fails every pass (the database stopped) would
/// otherwise write a warning each pass, several a second for every instance: this says it once when the loop starts
/// failing, with the reason, then at most one reminder every <see cref="ReminderInterval"/> with the count of failed
/// passes, and once when a pass works again. Only its loop calls it, one pass after the other.
/// </summary>
public sealed partial class FailureStreak(string work, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromMinutes(1);

    private int _failedPasses;
    private long _firstFailure;
    private long _lastReport;

    /// <summary>A pass failed.</summary>
    public void Failed(Exception exception)
    {
        var now = time.GetTimestamp();
        if (_failedPasses++ == 0)
        {
            _firstFailure = _lastReport = now;
            // One line with the reason; the stack trace (several KB on one console line, the same each outage) only at Debug.
            Log.Started(logger, work, Reason(exception));
            Log.StartedAt(logger, exception, work);
        }
        else if (time.GetElapsedTime(_lastReport, now) >= ReminderInterval)
        {
            _lastReport = now;
            Log.Continues(logger, work, _failedPasses, Reason(exception));
        }
    }

    /// <summary>A pass worked; costs nothing unless it ends a failure streak.</summary>
    public void Succeeded()
    {
        if (_failedPasses == 0)
        {
            return;
        }
        Log.Recovered(logger, work, _failedPasses, (long)time.GetElapsedTime(_firstFailure).TotalSeconds);
        _failedPasses = 0;
    }

    /// <summary>The exception's type and message, and its inner one's: a connection's failure often says why only there.</summary>
    private static string Reason(Exception exception) => exception.InnerException is { } inner
        ? $"{exception.GetType().Name}: {exception.Message} ({inner.GetType().Name}: {inner.Message})"
        : $"{exception.GetType().Name}: {exception.Message}";

    /// <summary>
    /// A graceful stop's final pass failed too (<see cref="Telemetry.FinalFlush"/>): what the loop had not written yet
    /// is lost, said in one error line.
    /// </summary>
    public void GaveUp(Exception exception) => Log.GaveUp(logger, work, Reason(exception));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Shutting down, {Work} did not succeed within the final flush's window: what it had not written yet is lost (last failure: {Reason})")]
        public static partial void GaveUp(ILogger logger, string work, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} failed, retrying: {Reason}")]
        public static partial void Started(ILogger logger, string work, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Work} failed")]
        public static partial void StartedAt(ILogger logger, Exception exception, string work);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} still fails after {FailedPasses} failed passes: {Reason}")]
        public static partial void Continues(ILogger logger, string work, int failedPasses, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Work} works again after {FailedPasses} failed passes / {Seconds} s")]
        public static partial void Recovered(ILogger logger, string work, int failedPasses, long seconds);
    }
}
