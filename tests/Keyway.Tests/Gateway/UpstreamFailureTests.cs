using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Security;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Protocols;
using OpenAI;
using OpenAI.Chat;

namespace Keyway.Tests.Gateway;

/// <summary>Each upstream failure stage, answered in the client's protocol and logged.</summary>
public sealed class UpstreamFailureTests
{
    private const string ChatBody = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";
    private const string StreamBody = """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private const string InvalidParamFixture = "openai/error_invalid_param.json";

    [Fact]
    public async Task UpstreamRateLimit_RelaysItsStatusCodeAndRetryAfter()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIRateLimit(retryAfterSeconds: 7));

        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        var error = body.GetProperty("error");
        Assert.StartsWith("upstream provider 'fake-openai' returned 429: ", error.GetProperty("message").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(429, log.GetProperty("status_code").GetInt32());
        Assert.Contains("fake-openai", log.GetProperty("error").GetString());
    }

    /// <summary>
    /// Redirects are not followed (the key would go along to wherever they point): a 3xx is no answer the client could
    /// use either, so it is a 502 in the client's protocol naming the redirect, never the upstream's 302 and Location.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", ChatBody)]
    [InlineData("v1/messages", """{"model":"gpt-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task UpstreamRedirect_IsA502NamingIt_InTheClientsProtocol(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(302, "<html>Moved</html>",
            new Dictionary<string, string> { ["Location"] = "https://elsewhere.example:8443/v1/chat/completions?sig=abc" }, "text/html"));

        using var response = await bed.PostAsync(path, body);

        var message = "upstream provider 'fake-openai' answered 302, a redirect to elsewhere.example:8443, which Keyway does not follow: check the provider's base_url";
        if (path == "v1/messages")
        {
            await GatewayErrorAssert.AnthropicAsync(response, 502, "api_error", message);
        }
        else
        {
            await GatewayErrorAssert.OpenAIAsync(response, 502, message);
        }
        Assert.False(response.Headers.Contains("Location"));
        Assert.Equal(502, (await bed.WaitForLogsAsync(1))[0].GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// An upstream refusing the gateway's own key (401, 403) is no fault of the client's: relayed as 401
    /// `authentication_error`/`invalid_api_key` it told the SDKs, Claude Code and Codex that the client's db_sk_ key was
    /// bad. It is a 502 in the caller's protocol whose message names the provider, what it said, and never the key.
    /// </summary>
    [Fact]
    public async Task UpstreamRefusingTheGatewaysKey_IsA502_NotTheClientsAuthError_AndNeverShowsTheKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.AnthropicError(401, "authentication_error", $"invalid x-api-key {AdminApi.DefaultUpstreamKey}"));

        using var response = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        await GatewayErrorAssert.AnthropicAsync(
            response, 502, "api_error", $"upstream provider 'fake-anthropic' returned 401: invalid x-api-key {SecretMask.Mask(AdminApi.DefaultUpstreamKey)}");
    }

    [Fact]
    public async Task UpstreamRefusingTheGatewaysKey_ReachesAnOpenAIClientAsA502_WithoutTheKeysCode()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(403, "Country, region, or territory not supported", "request_forbidden", "unsupported_country_region_territory"));

        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("upstream provider 'fake-openai' returned 403: Country, region, or territory not supported", error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);
        Assert.Equal(502, (await bed.WaitForLogsAsync(1))[0].GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task UpstreamPlainText500_IsWrappedInTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.PlainText(500, "boom"));

        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);

        await GatewayErrorAssert.OpenAIAsync(response, 500, "upstream provider 'fake-openai' returned 500: boom");
    }

    [Theory]
    [InlineData("v1/chat/completions", """{"model":"claude-alias","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "invalid_request_error", null)]
    [InlineData("v1/chat/completions", """{"model":"claude-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", 429, "rate_limit_error", "rate_limit_error", "rate_limit_exceeded")]
    [InlineData("v1/responses", """{"model":"claude-alias","input":"hi"}""", 529, "overloaded_error", "server_error", "server_is_overloaded")]
    [InlineData("v1/responses", """{"model":"claude-alias","stream":true,"input":"hi"}""", 402, "billing_error", "insufficient_quota", "insufficient_quota")]
    public async Task AnthropicUpstreamError_ReachesAnOpenAIClientInOpenAIsShape(string path, string body, int status, string anthropicType, string type, string? code)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.AnthropicError(status, anthropicType, "messages.0: bad thing"));

        using var response = await bed.PostAsync(path, body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.False(answer.TryGetProperty("type", out _));
        var error = answer.GetProperty("error");
        Assert.Equal($"upstream provider 'fake-anthropic' returned {status}: messages.0: bad thing", error.GetProperty("message").GetString());
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    /// <summary>
    /// An OpenAI-shaped upstream error keeps its <c>param</c>, the request field at fault, which the OpenAI SDKs surface
    /// (<c>BadRequestError.param</c>), passed through and when a Responses client is translated onto a Chat upstream: the
    /// client gets the upstream's error object with only the message prefixed.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":1}]}""")]
    [InlineData("v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":1}]}""")]
    [InlineData("v1/responses", """{"model":"gpt-alias","input":"hi"}""")]
    [InlineData("v1/responses", """{"model":"gpt-alias","stream":true,"input":"hi"}""")]
    public async Task OpenAIUpstreamError_KeepsItsParam(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var upstreamBody = Encoding.UTF8.GetString(ProtocolFixtures.Json(InvalidParamFixture));
        bed.Upstream.Enqueue(FakeReply.Status(400, upstreamBody));

        using var response = await bed.PostAsync(path, body);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(400, (int)response.StatusCode);
        var expected = JsonNode.Parse(upstreamBody)!;
        expected["error"]!["message"] = $"upstream provider 'fake-openai' returned 400: {expected["error"]!["message"]}";
        Assert.True(JsonNode.DeepEquals(expected, answer), answer?.ToJsonString());
    }

    [Fact]
    public async Task OpenAIUpstreamError_ItsParamReachesTheOpenAISdk()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(400, Encoding.UTF8.GetString(ProtocolFixtures.Json(InvalidParamFixture))));
        var client = new ChatClient(GatewayTestBed.OpenAIAlias, new ApiKeyCredential(bed.Key),
            new OpenAIClientOptions { Endpoint = bed.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, refused.Status);
        Assert.Contains("Parameter: messages[0].content", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Each protocol's context overflow, as the other side's clients detect it: Anthropic's 400 "prompt is too long:
    /// N tokens &gt; M maximum" (as quoted in anthropics/claude-code#57296) gets OpenAI's <c>context_length_exceeded</c>
    /// code (https://platform.openai.com/docs/guides/error-codes), which OpenAI clients and Codex act on.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", """{"model":"claude-alias","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/responses", """{"model":"claude-alias","stream":true,"input":"hi"}""")]
    public async Task AnthropicPromptTooLong_ReachesAnOpenAIClientAsContextLengthExceeded(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.AnthropicError(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"));

        using var response = await bed.PostAsync(path, body);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
    }

    /// <summary>
    /// OpenAI's overflow (400 <c>context_length_exceeded</c>, its message as https://platform.openai.com/docs/guides/error-codes
    /// words it) reaches an Anthropic client as Anthropic's own: an invalid_request_error whose message says "prompt is
    /// too long", which is what Claude Code looks for before it compacts.
    /// </summary>
    [Fact]
    public async Task OpenAIContextLengthExceeded_ReachesAnAnthropicClientAsPromptIsTooLong()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string overflow = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.";
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, overflow, "invalid_request_error", "context_length_exceeded"));

        using var response = await bed.PostAsync("v1/messages", """{"model":"gpt-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        await GatewayErrorAssert.AnthropicAsync(
            response, 400, "invalid_request_error", $"prompt is too long: upstream provider 'fake-openai' returned 400: {overflow}");
    }

    /// <summary>
    /// An error body past 64 KiB (vLLM's and other validators' 400s echo the request they refused): its type and code still
    /// reach the client and decide the failover, which read a cut body as no JSON at all.
    /// </summary>
    [Fact]
    public async Task LargeErrorBody_KeepsItsShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var echoed = "input was: " + new string('x', 200_000);
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, echoed, "invalid_request_error", "context_length_exceeded"));

        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.StartsWith("upstream provider 'fake-openai' returned 400: input was: xxx", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ErrorBodyPastTheLimit_IsCut_AndStillAnErrorInTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "input was: " + new string('x', 5_000_000), "invalid_request_error", "context_length_exceeded"));

        using var response = await bed.PostAsync("v1/messages", """{"model":"gpt-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith("upstream provider 'fake-openai' returned 400: ", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnreachableUpstream_Is502()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { base_url = "http://127.0.0.1:9/v1" });

        using var response = await bed.PostAsync("v1/chat/completions", StreamBody);

        Assert.Equal(502, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("upstream provider 'fake-openai' is unreachable", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task SilentUpstream_Is504AfterTheProviderTimeout()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        bed.Upstream.Enqueue(FakeReply.HangUntilAborted());

        using var response = await bed.PostAsync("v1/chat/completions", StreamBody);

        await GatewayErrorAssert.OpenAIAsync(response, 504, "upstream provider 'fake-openai' did not answer within 1 s");
        await bed.Upstream.WaitForAbortAsync();
    }

    [Fact]
    public async Task StreamBreakingOff_EndsWithAnErrorEvent_AndIsLogged502()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenDrop(eventsBeforeDrop: FakeAnthropicMessages.OpeningEvents + 1));

        using var response = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("event: message_start", events);
        Assert.Contains("event: error", events);
        Assert.DoesNotContain("message_stop", events);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheUpstreamCall_AndIsLogged499()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 2));

        var response = await bed.PostAsync("v1/chat/completions", StreamBody);
        var stream = await response.Content.ReadAsStreamAsync();
        var firstBytes = new byte[16];
        await stream.ReadAtLeastAsync(firstBytes, 1);
        response.Dispose();

        await bed.Upstream.WaitForAbortAsync();
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
    }
}
