using Keyway.Admin;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Admin;

public sealed class AdminLoginThrottleTests
{
    [Fact]
    public void BlocksAfterMaxFailures_PerClient()
    {
        var throttle = new AdminLoginThrottle(new FakeTimeProvider());

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
        var throttle = new AdminLoginThrottle(time);
        RecordFailures(throttle, "10.0.0.1", AdminLoginThrottle.MaxFailures);

        time.Advance(AdminLoginThrottle.Window);

        Assert.False(throttle.IsBlocked("10.0.0.1"));
    }

    private static void RecordFailures(AdminLoginThrottle throttle, string client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            throttle.RecordFailure(client);
        }
    }
}
