using Keyway.Telemetry;

namespace Keyway.Tests.Telemetry;

public sealed class PeriodicFlushServiceTests
{
    /// <summary>The host's shutdown timeout ran out before the final flush: reported as a failed flush, never thrown (the host would exit 134).</summary>
    [Fact]
    public async Task FinalFlush_CutShortByTheShutdownTimeout_IsReported_NotThrown()
    {
        var service = new WaitingFlush();

        await service.StopAsync(new CancellationToken(canceled: true));

        Assert.IsAssignableFrom<OperationCanceledException>(Assert.Single(service.Failures));
    }

    /// <summary>A flush that takes until its token is cancelled, as a database call does when the host stops waiting.</summary>
    private sealed class WaitingFlush() : PeriodicFlushService(TimeSpan.FromHours(1), TimeProvider.System)
    {
        public List<Exception> Failures { get; } = [];

        protected override Task FlushAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        protected override void FlushFailed(Exception exception) => Failures.Add(exception);
    }
}
