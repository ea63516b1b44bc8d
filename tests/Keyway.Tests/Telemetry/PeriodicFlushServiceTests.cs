using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Telemetry;

public sealed class PeriodicFlushServiceTests
{
    /// <summary>The host's shutdown timeout ran out before the final flush: reported as a failed flush, never thrown (the host would exit 134).</summary>
    [Fact]
    public async Task FinalFlush_CutShortByTheShutdownTimeout_IsReported_NotThrown()
    {
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(log));
        var service = new WaitingFlush(Streak(loggers));

        await service.StopAsync(new CancellationToken(canceled: true));

        Assert.Contains("Writing the test's counts failed", log.Text);
        Assert.Contains("CanceledException", log.Text);
    }

    /// <summary>
    /// PostgreSQL restarting or failing over while the gateway stops: the usage counters' final flush is tried again within
    /// the final flush's window, as the request log's is, instead of losing the last second's counts after one try.
    /// </summary>
    [Fact]
    public async Task FinalFlush_RefusedTwice_IsTriedAgainUntilItWorks()
    {
        using var loggers = LoggerFactory.Create(_ => { });
        var service = new RefusingFlush(Streak(loggers), refusals: 2);

        await service.StopAsync(CancellationToken.None);

        Assert.Equal(3, service.Tries);
    }

    /// <summary>The database still away when the window ends: the loss is named in one error line.</summary>
    [Fact]
    public async Task FinalFlush_StillRefusedWhenTheWindowEnds_NamesTheLossInOneErrorLine()
    {
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(log));
        var service = new RefusingFlush(Streak(loggers), refusals: int.MaxValue);
        using var hostStopsWaiting = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await service.StopAsync(hostStopsWaiting.Token);

        Assert.True(service.Tries >= 2, $"{service.Tries} tries: the final flush did not try again");
        var errors = log.Text.Split('\n').Where(line => line.StartsWith("Error ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith(
            "Error test: Shutting down, Writing the test's counts did not succeed within the final flush's window: what it had not written yet is lost (last failure: InvalidOperationException: the database is away)",
            Assert.Single(errors));
    }

    private static FailureStreak Streak(ILoggerFactory loggers) => new("Writing the test's counts", TimeProvider.System, loggers.CreateLogger("test"));

    /// <summary>A flush that takes until its token is cancelled, as a database call does when the host stops waiting.</summary>
    private sealed class WaitingFlush(FailureStreak failures) : PeriodicFlushService(TimeSpan.FromHours(1), TimeProvider.System, failures)
    {
        protected override Task FlushAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>A flush the database refuses <paramref name="refusals"/> times before it takes it.</summary>
    private sealed class RefusingFlush(FailureStreak failures, int refusals) : PeriodicFlushService(TimeSpan.FromHours(1), TimeProvider.System, failures)
    {
        public int Tries { get; private set; }

        protected override Task FlushAsync(CancellationToken cancellationToken) =>
            ++Tries <= refusals ? throw new InvalidOperationException("the database is away") : Task.CompletedTask;
    }
}
