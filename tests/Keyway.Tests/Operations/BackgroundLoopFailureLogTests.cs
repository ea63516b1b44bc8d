using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Operations;

/// <summary>
/// A background loop that fails every pass (PostgreSQL stopped) says so once with the reason, then at most once a
/// minute with the count of failed passes, and once when a pass works again: not a warning per pass. Each line gives the
/// reason (the exception's type and message) without its stack trace, which would make a line of several KB.
/// </summary>
public sealed class BackgroundLoopFailureLogTests
{
    private static readonly TimeSpan Pass = TimeSpan.FromMilliseconds(500);
    private static readonly Exception Outage = Thrown(new InvalidOperationException("Failed to connect to 127.0.0.1:5432"));

    [Fact]
    public async Task AnOutage_IsLoggedWhenItStarts_OnceAMinuteWhileItLasts_AndWhenItEnds()
    {
        var time = new FakeTimeProvider();
        var log = new CapturedLog();
        using var loggers = new LoggerFactory([log], new LoggerFilterOptions { MinLevel = LogLevel.Information });
        var failures = new FailureStreak("Reading the key states of the other instances", time, loggers.CreateLogger("Keyway.Upstreams.KeyHealthSync"));

        await PassesAsync(failures, time, 100, Outage);
        Assert.Equal(
            "Warning Keyway.Upstreams.KeyHealthSync: Reading the key states of the other instances failed, retrying: InvalidOperationException: Failed to connect to 127.0.0.1:5432  []",
            log.Text);

        // The 121st pass comes a minute after the first.
        await PassesAsync(failures, time, 40, Outage);
        Assert.Equal(2, log.Count);
        Assert.Contains("Reading the key states of the other instances still fails after 121 failed passes: InvalidOperationException: Failed to connect to 127.0.0.1:5432", log.Text);

        await PassesAsync(failures, time, 5, error: null);
        Assert.Equal(3, log.Count);
        Assert.Contains("Information Keyway.Upstreams.KeyHealthSync: Reading the key states of the other instances works again after 140 failed passes / 70 s", log.Text);

        await PassesAsync(failures, time, 1, Outage);
        Assert.Equal(4, log.Count);
    }

    /// <summary>The exception with a stack trace, as one a failing pass catches.</summary>
    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async Task PassesAsync(FailureStreak failures, FakeTimeProvider time, int count, Exception? error)
    {
        for (var i = 0; i < count; i++)
        {
            await PeriodicLoop.TickAsync(_ => error is null ? Task.CompletedTask : Task.FromException(error), failures, CancellationToken.None);
            time.Advance(Pass);
        }
    }
}
