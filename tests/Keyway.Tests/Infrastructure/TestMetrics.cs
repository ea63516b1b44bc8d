using System.Diagnostics.Metrics;
using Keyway.Telemetry.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Infrastructure;

/// <summary>Real <see cref="KeywayMetrics"/> on a meter factory of their own, for tests that build telemetry types by hand.</summary>
public static class TestMetrics
{
    public static KeywayMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
