using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A whole answer to a client that asked for a stream (the upstream ignored <c>stream: true</c>) is judged as the same
/// body to a client that asked for none: what one relays as an answer, the other streams.
/// </summary>
public sealed class WholeAnswerStreamRelayTests
{
    /// <summary>A Chat completion (https://platform.openai.com/docs/api-reference/chat/object).</summary>
    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1764979200,"model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from behind a mark"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}
        """;

    /// <summary>
    /// A body behind a UTF-8 byte order mark: the check of a 200 reads past the mark (an answer, relayed as it came to a
    /// client that asked for no stream), so a streaming client gets that answer too, not a 502 that blamed the key.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", "\"content\":\"Hello from behind a mark\"")]
    [InlineData("v1/messages", "\"text\":\"Hello from behind a mark\"")]
    public async Task AnswerAfterAByteOrderMark_StreamsToTheClient(string path, string text)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, "\uFEFF" + Completion));

        using var response = await bed.PostAsync(path,
            $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"));
        var stream = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(text, stream, StringComparison.Ordinal);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(6, log.GetProperty("output_tokens").GetInt64());
    }

    /// <summary>
    /// The same body to a client that asked for no stream on a translated route (an Anthropic client on a Chat
    /// upstream): translated as an answer without the mark, not a 502 for a body that "could not be translated".
    /// </summary>
    [Fact]
    public async Task AnswerAfterAByteOrderMark_IsTranslatedForAWholeAnswerClient()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, "\uFEFF" + Completion));

        using var response = await bed.PostAsync("v1/messages",
            $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"text\":\"Hello from behind a mark\"", answer, StringComparison.Ordinal);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(6, log.GetProperty("output_tokens").GetInt64());
    }
}
