using System.Diagnostics;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

public sealed class NginxConfigTests
{
    private static readonly string Config = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../deploy/nginx-two-instances.conf"));

    /// <summary>The README's load-balancer example parses; shown as skipped where nginx is not installed.</summary>
    [NginxFact]
    public async Task TwoInstanceExample_PassesNginxSyntaxCheck()
    {
        using var check = Process.Start(new ProcessStartInfo(NginxFactAttribute.Nginx, ["-t", "-c", Config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();

        Assert.True(check.ExitCode == 0, errors);
        Assert.Contains("syntax is ok", errors);
    }

    /// <summary>$host drops the port: the admin UI's writes were refused as cross-site and app_base_url named the wrong port.</summary>
    [Fact]
    public void TwoInstanceExample_PassesTheHostWithItsPort()
    {
        Assert.Contains("proxy_set_header Host $http_host;", File.ReadAllText(Config));
    }
}
