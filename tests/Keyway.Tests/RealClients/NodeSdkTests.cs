using System.Text.Json;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>The official OpenAI and Anthropic Node SDKs (tests/clients/sdk-calls.mjs) through Keyway to the fake upstream.</summary>
public sealed class NodeSdkTests
{
    private static readonly string[] Paths = ["/v1/chat/completions", "/v1/chat/completions", "/v1/messages", "/v1/messages", "/v1/messages/count_tokens"];

    [Fact]
    public async Task OpenAIAndAnthropicSdks_StreamAndNonStream_AndCountTokens()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var oldestFirst = await RunSdkCallsAsync(bed);

        Assert.Equal([false, true, false, true, false], oldestFirst.Select(log => log.GetProperty("stream").GetBoolean()));
        Assert.All(oldestFirst[..4], log => Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64()));
    }

    /// <summary>
    /// The first key's Chat stream sends its role chunk and then an error object, as OpenAI-compatible vendors do when a
    /// key runs out mid-request: the OpenAI SDK throws on such an event
    /// (https://github.com/openai/openai-node/blob/master/src/core/streaming.ts), so the gateway must not have let the
    /// role chunk through before it knew; the stream fails over to the second key and the SDK sees one clean answer.
    /// </summary>
    [Fact]
    public async Task ErrorRightAfterTheRoleChunk_FailsOverUnseenByTheOpenAISdk()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        const string OutOfBalance = "data: {\"error\":{\"message\":\"Insufficient account balance\",\"type\":\"insufficient_quota\"}}\n\n";
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, FakeOpenAIChat.Opening + OutOfBalance, contentType: "text/event-stream"));

        var oldestFirst = await RunSdkCallsAsync(pool.Bed);

        var chatCalls = oldestFirst[..2];
        Assert.All(chatCalls, log => Assert.Equal([502, 200], log.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32())));
        Assert.Equal(["a", "b", "a", "b"], pool.TakeKeysSeen().Take(4));
    }

    /// <summary>
    /// The OpenAI Node SDK chains Responses turns by id on a Chat alias (tests/clients/responses-chain.mjs), as its users
    /// do against OpenAI (https://platform.openai.com/docs/guides/conversation-state#passing-context-from-the-previous-response):
    /// the upstream gets the first turn before the second input, and the SDK reads, lists and deletes the response.
    /// </summary>
    [Fact]
    public async Task OpenAISdk_ChainsResponsesByPreviousResponseId_ThroughATranslatedRoute()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var traffic = new KeywayTraffic(bed.Server);

        var results = await RunScriptAsync(bed, traffic, "responses-chain.mjs");

        var expected = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);
        var second = results.GetProperty("second");
        Assert.Equal(results.GetProperty("first").GetProperty("id").GetString(), second.GetProperty("previous_response_id").GetString());
        Assert.Equal(expected, second.GetProperty("text").GetString());
        Assert.Equal(expected, second.GetProperty("read_text").GetString());
        Assert.Equal(["Which word?"], results.GetProperty("input_items").EnumerateArray().Select(item => item.GetString()));
        Assert.Equal(404, results.GetProperty("status_after_delete").GetInt32());
        var messages = bed.Upstream.Requests[1].Json.GetProperty("messages").EnumerateArray()
            .Select(message => (message.GetProperty("role").GetString(), message.GetProperty("content").ToString())).ToList();
        Assert.Equal([("user", "Remember the word purple."), ("assistant", expected), ("user", "Which word?")], messages);
    }

    /// <summary>Runs tests/clients/sdk-calls.mjs against the bed, checks what both SDKs got and returns the request log, oldest first.</summary>
    private static async Task<JsonElement[]> RunSdkCallsAsync(GatewayTestBed bed)
    {
        using var traffic = new KeywayTraffic(bed.Server);
        var results = await RunScriptAsync(bed, traffic, "sdk-calls.mjs");
        AssertOpenAI(results.GetProperty("openai"));
        AssertAnthropic(results.GetProperty("anthropic"));
        Assert.Equal(Paths, traffic.Requests.Select(seen => seen.Path));
        Assert.All(traffic.Requests, seen => Assert.Equal(200, seen.Status));
        var oldestFirst = (await bed.WaitForLogsAsync(Paths.Length)).Reverse().ToArray();
        Assert.Equal(Paths, oldestFirst.Select(log => log.GetProperty("endpoint").GetString()));
        return oldestFirst;
    }

    /// <summary>Runs a script of tests/clients against the bed (its key and aliases in the environment); returns the JSON object it printed last.</summary>
    private static async Task<JsonElement> RunScriptAsync(GatewayTestBed bed, KeywayTraffic traffic, string script)
    {
        using var home = new TempDirectory();
        var process = await NodeClients.RunScriptAsync(script, home.Path, new Dictionary<string, string>
        {
            ["KEYWAY_BASE_URL"] = bed.Server.BaseAddress.ToString().TrimEnd('/'),
            ["KEYWAY_API_KEY"] = bed.Key,
            ["OPENAI_ALIAS"] = GatewayTestBed.OpenAIAlias,
            ["ANTHROPIC_ALIAS"] = GatewayTestBed.AnthropicAlias,
        });
        Assert.True(process.ExitCode == 0, $"{script} failed.\n{process.Transcript}\nKeyway saw:\n{traffic.Describe()}");
        return JsonDocument.Parse(process.LastLine).RootElement;
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
