using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// Claude Code with both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set: it sends the token as <c>Authorization: Bearer</c>
/// and the key as <c>x-api-key</c>, both on every call. A vendor key left in one variable beside the Keyway key in the
/// other is common (a shell profile from before the gateway); Keyway uses its own key, whichever header carries it.
/// </summary>
public sealed class ClaudeCodeCredentialsTests
{
    private const string LeftoverVendorKey = "sk-or-v1-left-over-in-the-shell-profile";

    [Theory]
    [InlineData("ANTHROPIC_AUTH_TOKEN")]
    [InlineData("ANTHROPIC_API_KEY")]
    public async Task BothVariablesSet_TheKeywayKeyServes_WhicheverVariableHoldsIt(string keywayKeyVariable)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var traffic = new KeywayTraffic(bed.Server);
        using var home = new TempDirectory();
        var credentials = new Dictionary<string, string>
        {
            ["ANTHROPIC_AUTH_TOKEN"] = LeftoverVendorKey,
            ["ANTHROPIC_API_KEY"] = LeftoverVendorKey,
            [keywayKeyVariable] = bed.Key,
        };

        var (process, result) = await ClaudeCode.RunAsync(bed, "Say hello.", home.Path, home.Path, credentials: credentials);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), result.GetProperty("result").GetString());
        var call = Assert.Single(traffic.Requests, seen => seen.Method == "POST");
        Assert.Equal(200, call.Status);
        Assert.Equal($"Bearer {credentials["ANTHROPIC_AUTH_TOKEN"]}", call.Headers["authorization"]);
        Assert.Equal(credentials["ANTHROPIC_API_KEY"], call.Headers["x-api-key"]);
    }
}
