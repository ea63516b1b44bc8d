using Keyway.Tests.Infrastructure;
using static Keyway.Tests.Binary.BinaryHttp;

namespace Keyway.Tests.Binary;

/// <summary>The CLI as a shell runs it: the executable in its own process, its output read through a pipe.</summary>
public sealed class BinaryCliTests
{
    [Fact]
    public async Task TableIntoAPipe_KeepsEachRowOnOneLine()
    {
        using var data = new TempDirectory();
        var environment = KeywayBinary.Environment(data.Path);
        await using var keyway = await KeywayProcess.StartAsync(environment, data.Path);
        using var admin = WithAdminToken(keyway.BaseAddress);
        var upstreamModel = "vendor/" + new string('m', 60) + "-instruct-2026-11-23";
        await AdminApi.CreateProviderAsync(admin, "default", "wide", "http://127.0.0.1:9/v1");
        await AdminApi.CreateRouteAsync(admin, "default", "a-long-alias-for-the-wide-route", "wide", upstreamModel);

        var listed = await KeywayBinary.RunToExitAsync(environment, data.Path, "--url", keyway.BaseAddress.ToString(), "route", "list");

        Assert.True(listed.ExitCode == 0, listed.Transcript);
        var row = Assert.Single(listed.Stdout.Split('\n'), line => line.Contains("a-long-alias-for-the-wide-route", StringComparison.Ordinal));
        Assert.Contains(upstreamModel, row, StringComparison.Ordinal);
        Assert.True(await keyway.StopAsync() == 0, keyway.Output);
    }
}
