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
        var service = new WaitingFlush(new FailureStreak("Writing the test's counts", TimeProvider.System, loggers.CreateLogger("test")));

        await service.StopAsync(new CancellationToken(canceled: true));

        Assert.Contains("Writing the test's counts failed", log.Text);
        Assert.Contains("CanceledException", log.Text);
    }

    /// <summary>A flush that takes until its token is cancelled, as a database call does when the host stops waiting.</summary>
    private sealed class WaitingFlush(FailureStreak failures) : PeriodicFlushService(TimeSpan.FromHours(1), TimeProvider.System, failures)
    {
        protected override Task FlushAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
