using System.Diagnostics;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

public sealed class NginxConfigTests
{
    /// <summary>The README's load-balancer example parses; shown as skipped where nginx is not installed.</summary>
    [NginxFact]
    public async Task TwoInstanceExample_PassesNginxSyntaxCheck()
    {
        var config = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../deploy/nginx-two-instances.conf"));
        using var check = Process.Start(new ProcessStartInfo(NginxFactAttribute.Nginx, ["-t", "-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();

        Assert.True(check.ExitCode == 0, errors);
        Assert.Contains("syntax is ok", errors);
    }
}
