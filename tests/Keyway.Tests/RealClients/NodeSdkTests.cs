using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>The official OpenAI and Anthropic Node SDKs (tests/clients/sdk-calls.mjs) through Keyway to the fake upstream.</summary>
public sealed class NodeSdkTests
{
    [Fact]
    public async Task OpenAIAndAnthropicSdks_StreamAndNonStream_AndCountTokens()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var traffic = new KeywayTraffic(bed.Server);
        using var home = new TempDirectory();

        var process = await NodeClients.RunScriptAsync("sdk-calls.mjs", home.Path, new Dictionary<string, string>
        {
            ["KEYWAY_BASE_URL"] = bed.Server.BaseAddress.ToString().TrimEnd('/'),
            ["KEYWAY_API_KEY"] = bed.Key,
            ["OPENAI_ALIAS"] = GatewayTestBed.OpenAIAlias,
            ["ANTHROPIC_ALIAS"] = GatewayTestBed.AnthropicAlias,
        });

        Assert.True(process.ExitCode == 0, $"sdk-calls.mjs failed.\n{process.Transcript}\nKeyway saw:\n{traffic.Describe()}");
        var results = JsonDocument.Parse(process.LastLine).RootElement;
        AssertOpenAI(results.GetProperty("openai"));
        AssertAnthropic(results.GetProperty("anthropic"));
        string[] paths = ["/v1/chat/completions", "/v1/chat/completions", "/v1/messages", "/v1/messages", "/v1/messages/count_tokens"];
        Assert.Equal(paths, traffic.Requests.Select(seen => seen.Path));
        Assert.All(traffic.Requests, seen => Assert.Equal(200, seen.Status));
        var oldestFirst = (await bed.WaitForLogsAsync(paths.Length)).Reverse().ToArray();
        Assert.Equal(paths, oldestFirst.Select(log => log.GetProperty("endpoint").GetString()));
        Assert.Equal([false, true, false, true, false], oldestFirst.Select(log => log.GetProperty("stream").GetBoolean()));
        Assert.All(oldestFirst[..4], log => Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64()));
    }

    private static void AssertOpenAI(JsonElement openai)
    {
        var expected = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);
        var chat = openai.GetProperty("chat");
        Assert.Equal(expected, chat.GetProperty("text").GetString());
        Assert.Equal(FakeUpstream.TotalTokens, chat.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        var stream = openai.GetProperty("chat_stream");
        Assert.Equal(expected, stream.GetProperty("text").GetString());
        Assert.Equal("stop", stream.GetProperty("finish_reason").GetString());
        // Keyway asks the upstream for usage on streams but must not show the usage-only chunk the client did not ask for.
        Assert.Equal(0, stream.GetProperty("usage_chunks").GetInt32());
    }

    private static void AssertAnthropic(JsonElement anthropic)
    {
        var expected = FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel);
        var message = anthropic.GetProperty("message");
        Assert.Equal(expected, message.GetProperty("text").GetString());
        Assert.Equal("end_turn", message.GetProperty("stop_reason").GetString());
        Assert.Equal(FakeUpstream.PromptTokens, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var stream = anthropic.GetProperty("message_stream");
        Assert.Equal(expected, stream.GetProperty("text").GetString());
        Assert.Equal(expected, stream.GetProperty("final_text").GetString());
        Assert.Equal(FakeUpstream.CompletionTokens, stream.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.True(anthropic.GetProperty("count_tokens").GetProperty("input_tokens").GetInt32() > 0);
    }
}
