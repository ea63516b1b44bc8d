using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Helpers;
using Anthropic.Models.Messages;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Anthropic Messages through Keyway to an Anthropic-protocol upstream, with the official SDK and raw HTTP.</summary>
public sealed class MessagesTests
{
    [Fact]
    public async Task Sdk_NonStream_GetsTheUpstreamAnswer_WithTheUpstreamKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var message = await SdkClient(bed).Messages.Create(Params("hi"));

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), Text(message));
        Assert.Equal(FakeUpstream.PromptTokens, message.Usage.InputTokens);
        Assert.Equal("/v1/messages", bed.Upstream.Last.Path);
        Assert.Equal(AdminApi.DefaultUpstreamKey, bed.Upstream.Last.Headers["x-api-key"]);
        Assert.False(bed.Upstream.Last.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Sdk_Stream_AggregatesTheAnswer_AndTheLogHasAllTokenKinds()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var deltas = new StringBuilder();

        await foreach (var streamEvent in SdkClient(bed).Messages.CreateStreaming(Params("hi")))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text))
            {
                deltas.Append(text.Text);
            }
        }

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), deltas.ToString());
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal("anthropic", log.GetProperty("client_protocol").GetString());
        Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CachedTokens, log.GetProperty("cache_read_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CacheCreationTokens, log.GetProperty("cache_write_tokens").GetInt64());
    }

    [Fact]
    public async Task Sdk_ToolUse_StreamedThenAnswered()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = SdkClient(bed);
        var ask = Params($"{FakeUpstream.ToolTrigger} get_weather") with
        {
            Tools = [new Tool { Name = "get_weather", InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) } } }],
        };

        var toolTurn = await client.Messages.CreateStreaming(ask).Aggregate();

        Assert.Equal("tool_use", toolTurn.StopReason?.Raw());
        Assert.True(toolTurn.Content.Single().TryPickToolUse(out var toolUse));
        Assert.Equal("get_weather", toolUse.Name);
    }

    [Fact]
    public async Task ClaudeCodeStyleRequest_QueryStringAndBetasReachTheUpstream()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages?beta=true",
            """{"model":"claude-alias","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"u_session_1"}}""",
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"), ("x-claude-code-session-id", "s1"));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("event: message_stop", events);
        var upstream = bed.Upstream.Last;
        Assert.Equal("2023-06-01", upstream.Headers["anthropic-version"]);
        Assert.Equal("claude-code-20250219,interleaved-thinking-2025-05-14", upstream.Headers["anthropic-beta"]);
        Assert.False(upstream.Headers.ContainsKey("x-claude-code-session-id"));
        Assert.Equal("u_session_1", upstream.Json.GetProperty("metadata").GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task NoAnthropicVersion_TheDocumentedDefaultIsSent()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("2023-06-01", bed.Upstream.Last.Headers["anthropic-version"]);
    }

    /// <summary>Claude Code counts tokens the way it sends messages: <c>/v1/messages/count_tokens?beta=true</c>, Bearer, betas.</summary>
    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias)]
    [InlineData(GatewayTestBed.OpenAIAlias)]
    public async Task CountTokens_ClaudeCodeStyleRequest_IsCounted(string alias)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages/count_tokens?beta=true",
            $$"""{"model":"{{alias}}","messages":[{"role":"user","content":"count me"}]}""",
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219,token-counting-2024-11-01"));

        Assert.Equal(200, (int)response.StatusCode);
        using var count = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(count.RootElement.GetProperty("input_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task CountTokens_AnthropicUpstream_IsForwarded()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var count = await SdkClient(bed).Messages.CountTokens(new MessageCountTokensParams
        {
            Model = GatewayTestBed.AnthropicAlias,
            Messages = [new UserMessageParam { Content = "count me" }],
        });

        Assert.Equal("/v1/messages/count_tokens", bed.Upstream.Last.Path);
        Assert.Equal(GatewayTestBed.AnthropicModel, bed.Upstream.Last.Model);
        Assert.Equal(Encoding.UTF8.GetByteCount(bed.Upstream.Last.Body) / 4, count.InputTokens);
    }

    /// <summary>
    /// Anthropic-compatible vendors that serve messages but not count_tokens answer it 404 (or 405): Claude Code's count
    /// then gets the estimate an OpenAI-protocol upstream gives, not the vendor's "not found".
    /// </summary>
    [Theory]
    [InlineData(404)]
    [InlineData(405)]
    public async Task CountTokens_AnthropicUpstreamWithoutIt_IsEstimated(int status)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.AnthropicError(status, "not_found_error", "Not Found"));

        using var response = await bed.PostAsync("v1/messages/count_tokens",
            $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","messages":[{"role":"user","content":"count me"}]}""", ("anthropic-version", "2023-06-01"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("o200k_base", response.Headers.GetValues("x-keyway-token-estimate").Single());
        using var count = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(count.RootElement.GetProperty("input_tokens").GetInt32() > 0);
        Assert.Equal("/v1/messages/count_tokens", bed.Upstream.Last.Path);
    }

    /// <summary>
    /// count_tokens requires <c>messages</c>, an array of message objects (https://docs.anthropic.com/en/api/messages-count-tokens):
    /// where Keyway estimates, a body Anthropic would refuse gets Anthropic's 400 instead of a count.
    /// </summary>
    [Theory]
    [InlineData("""{"model":"gpt-alias","messages":"hi"}""", "messages: Input should be a valid list")]
    [InlineData("""{"model":"gpt-alias","messages":{"role":"user","content":"hi"}}""", "messages: Input should be a valid list")]
    [InlineData("""{"model":"gpt-alias","messages":[{"role":"user","content":"hi"},"hi"]}""", "messages.1: Input should be a valid dictionary")]
    [InlineData("""{"model":"gpt-alias","system":"hi"}""", "messages: Field required")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "Missing 'model': a string naming one of your route aliases is required.")]
    public async Task CountTokens_OpenAIUpstream_RefusesWhatAnthropicRefuses(string body, string message)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages/count_tokens", body);

        await GatewayErrorAssert.AnthropicAsync(response, 400, "invalid_request_error", message);
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task CountTokens_OpenAIUpstream_IsAnEstimateThatGrowsWithTheInput()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var small = await CountAsync(bed, "hi");
        var large = await CountAsync(bed, string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 50)));

        Assert.True(small > 0);
        Assert.True(large > small + 100, $"{large} vs {small}");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    private static async Task<long> CountAsync(GatewayTestBed bed, string text)
    {
        var body = JsonSerializer.Serialize(new { model = GatewayTestBed.OpenAIAlias, messages = new[] { new { role = "user", content = text } } });
        using var response = await bed.PostAsync("v1/messages/count_tokens", body);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("o200k_base", response.Headers.GetValues("x-keyway-token-estimate").Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("input_tokens").GetInt64();
    }

    private static AnthropicClient SdkClient(GatewayTestBed bed) => new()
    {
        ApiKey = bed.Key,
        BaseUrl = bed.Server.BaseAddress.ToString(),
        MaxRetries = 0,
        ResponseValidation = true,
    };

    private static MessageCreateParams Params(string prompt) => new()
    {
        Model = GatewayTestBed.AnthropicAlias,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = prompt }],
    };

    private static string Text(Message message) =>
        string.Concat(message.Content.Select(block => block.TryPickText(out var text) ? text.Text : ""));
}
