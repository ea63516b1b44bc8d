using System.Net;
using System.Text.Json;
using Keyway.Tests.Infrastructure;
using static Keyway.Tests.Binary.BinaryHttp;

namespace Keyway.Tests.Binary;

/// <summary>The data-plane calls of the binary smoke test, each with its own assertions.</summary>
internal static class BinaryDataPlane
{
    private const string Question = """[{"role":"user","content":"Say hello."}]""";
    private static readonly (string, string) AnthropicVersion = ("anthropic-version", "2023-06-01");

    public static async Task AssertChatAsync(HttpClient client)
    {
        var expected = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);
        var completion = Ok(await PostAsync(client, "v1/chat/completions", Chat(stream: false)));
        Assert.Equal(expected, completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(FakeUpstream.TotalTokens, completion.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        var stream = await PostAsync(client, "v1/chat/completions", Chat(stream: true));
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Contains("data: [DONE]", stream.Body);
        var text = string.Concat(stream.Events
            .SelectMany(chunk => chunk.GetProperty("choices").EnumerateArray())
            .Select(choice => choice.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));
        Assert.Equal(expected, text);
    }

    public static async Task AssertMessagesStreamAsync(HttpClient client)
    {
        var body = $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","max_tokens":64,"stream":true,"messages":{{Question}}}""";
        var stream = await PostAsync(client, "v1/messages", body, AnthropicVersion);
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        var events = stream.Events;
        Assert.Equal("message_start", events[0].GetProperty("type").GetString());
        Assert.Equal("message_stop", events[^1].GetProperty("type").GetString());
        var text = string.Concat(events
            .Where(e => e.GetProperty("type").GetString() == "content_block_delta")
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), text);
    }

    public static async Task AssertModelsAsync(HttpClient client)
    {
        var openai = Ok(await GetAsync(client, "v1/models"));
        Assert.Equal("list", openai.GetProperty("object").GetString());
        Assert.Equal(
            [GatewayTestBed.AnthropicAlias, GatewayTestBed.OpenAIAlias],
            openai.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()).Order());

        var anthropic = Ok(await GetAsync(client, "v1/models", AnthropicVersion));
        Assert.All(anthropic.GetProperty("data").EnumerateArray(), model => Assert.Equal("model", model.GetProperty("type").GetString()));
        Assert.False(anthropic.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.String, anthropic.GetProperty("first_id").ValueKind);
    }

    /// <summary>An OpenAI-protocol alias cannot count upstream: Keyway estimates, and says so in a header.</summary>
    public static async Task AssertCountTokensEstimateAsync(HttpClient client)
    {
        var body = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":{{Question}}}""";
        var reply = await PostAsync(client, "v1/messages/count_tokens", body, AnthropicVersion);
        Assert.True(Ok(reply).GetProperty("input_tokens").GetInt32() > 0);
        Assert.True(reply.Response.Headers.Contains("x-keyway-token-estimate"));
    }

    /// <summary>An upstream 429 reaches the client as a 429 in the OpenAI error shape, with the upstream's message.</summary>
    public static async Task AssertUpstreamErrorRelayedAsync(HttpClient client, FakeUpstream upstream)
    {
        upstream.Enqueue(FakeReply.OpenAIRateLimit());
        var reply = await PostAsync(client, "v1/chat/completions", Chat(stream: false));
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Contains("Rate limit reached", reply.Json.GetProperty("error").GetProperty("message").GetString());
    }

    private static string Chat(bool stream) =>
        $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":{{(stream ? "true" : "false")}},"messages":{{Question}}}""";
}
