using Keyway.Admin;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Admin;

public sealed class AdminLoginThrottleTests
{
    [Fact]
    public void BlocksAfterMaxFailures_PerClient()
    {
        var throttle = new AdminLoginThrottle(new FakeTimeProvider(), NullLogger<AdminLoginThrottle>.Instance);

        RecordFailures(throttle, "10.0.0.1", AdminLoginThrottle.MaxFailures - 1);
        Assert.False(throttle.IsBlocked("10.0.0.1"));
        throttle.RecordFailure("10.0.0.1");

        Assert.True(throttle.IsBlocked("10.0.0.1"));
        Assert.False(throttle.IsBlocked("10.0.0.2"));
    }

    [Fact]
    public void FailuresOlderThanTheWindow_NoLongerCount()
    {
        var time = new FakeTimeProvider();
        var throttle = new AdminLoginThrottle(time, NullLogger<AdminLoginThrottle>.Instance);
        RecordFailures(throttle, "10.0.0.1", AdminLoginThrottle.MaxFailures);

        time.Advance(AdminLoginThrottle.Window);

        Assert.False(throttle.IsBlocked("10.0.0.1"));
    }

    /// <summary>An operator learns of a lockout (someone guessing the admin token) from the log, once per lockout.</summary>
    [Fact]
    public void ABlockedAddress_IsLoggedOnce()
    {
        var log = new CapturedLog();
        using var loggers = new LoggerFactory([log]);
        var throttle = new AdminLoginThrottle(new FakeTimeProvider(), loggers.CreateLogger<AdminLoginThrottle>());

        RecordFailures(throttle, "10.0.0.1", AdminLoginThrottle.MaxFailures + 3);

        Assert.Equal(1, log.Count);
        Assert.Contains("10.0.0.1", log.Text);
        Assert.Contains("10 wrong admin tokens", log.Text);
    }

    private static void RecordFailures(AdminLoginThrottle throttle, string client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            throttle.RecordFailure(client);
        }
    }
}
