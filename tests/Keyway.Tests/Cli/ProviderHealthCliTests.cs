using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>`keyway provider health` and `provider reset-health`: the upstream keys' cooldowns, read and cleared over /admin/llm/health.</summary>
public sealed class ProviderHealthCliTests
{
    [Fact]
    public async Task Health_ShowsAKeyCooledForOneModel_AndResetHealthOfThatKey_MakesItUsableAgain()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        using var dir = new TempDirectory();
        var cli = new CliRunner(pool.Bed.Server, dir.Path);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(
            429, $"Rate limit reached for {GatewayTestBed.OpenAIModel} in organization org-x", "requests", "rate_limit_exceeded",
            new Dictionary<string, string> { ["Retry-After"] = "30" }), times: 1);
        Assert.Equal(200, await pool.ChatStatusAsync());

        var table = await cli.RunAsync("provider", "health");
        var json = await cli.JsonAsync("provider", "health");
        var reset = await cli.RunAsync("provider", "reset-health", GatewayTestBed.OpenAIProvider, "--key", "a");

        Assert.Equal(0, table.ExitCode);
        var row = Assert.Single(table.Out.Split('\n'), line => line.Contains($"{GatewayTestBed.OpenAIProvider} ", StringComparison.Ordinal) && line.Contains(" a ", StringComparison.Ordinal));
        Assert.Contains("cooling", row);
        Assert.Contains($"{GatewayTestBed.OpenAIModel}=", row);
        var provider = Assert.Single(json.GetProperty("health").EnumerateArray(), p => p.GetProperty("provider_id").GetString() == GatewayTestBed.OpenAIProvider);
        Assert.True(provider.GetProperty("keys")[0].GetProperty("model_cooldowns").TryGetProperty(GatewayTestBed.OpenAIModel, out _));
        Assert.Equal(0, reset.ExitCode);
        Assert.Equal("ok", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
    }
}
