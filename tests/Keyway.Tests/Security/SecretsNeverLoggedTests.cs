using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Security;

/// <summary>
/// A realistic session with every kind of secret — admin token, KEYWAY_SECRET, upstream keys, issued keys, a tool
/// provider's key — through admin writes, requests and failures whose upstream error bodies echo the key. Afterwards
/// none of the secrets is in the server log (captured at trace level), in any request-log row, in the database file,
/// or (for the upstream and tool keys) in any answer a client of the data plane got.
/// </summary>
public sealed class SecretsNeverLoggedTests
{
    private const string MainKey = "sk-live-main-5b0e2c9a4f7d41e3";
    private const string SpareKey = "sk-live-spare-8c1d3e5f7a9b2c4d";
    private const string WrongIssuedKey = "db_sk_not-a-real-key-1234567890";
    private const string VendorToken = "vendorsecret-7e1f3a9c5b";

    [Fact]
    public async Task AfterASessionUsingEverySecret_NoneIsInTheServerLog_TheRequestLog_TheDatabaseOrAClientAnswer()
    {
        var log = new CapturedLog();
        await using var tavily = await FakeTavily.StartAsync();
        await using var bed = await StartLoggingAtTraceAsync(log);
        var admin = bed.Admin;
        var answers = new List<string>();

        // Admin writes: a session login, a key pool, a tool provider, a second issued key; secrets revealed on purpose.
        using (var login = await bed.Server.Http.PostAsync("admin/login", GatewayTestBed.Json($$"""{"token":"{{KeywayServer.AdminToken}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        await AdminApi.OkAsync(admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["routing_mode"] = "priority",
            ["extra_headers"] = new JsonObject { ["X-Vendor-Token"] = VendorToken, ["X-Title"] = "Keyway session" },
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "main", ["api_key"] = MainKey }, new JsonObject { ["name"] = "spare", ["api_key"] = SpareKey }),
        });
        await WebSearchSetup.CreateTavilyAsync(admin, "default", tavily);
        var secondKey = await AdminApi.CreateKeyAsync(admin, "default", "second");
        var keys = await AdminApi.OkAsync(admin, HttpMethod.Get, "admin/llm/groups/default/keys");
        foreach (var key in keys.GetProperty("keys").EnumerateArray())
        {
            await AdminApi.OkAsync(admin, HttpMethod.Get, $"admin/llm/keys/{key.GetProperty("key_id").GetString()}/plaintext");
        }
        var rejected = await AdminApi.PostAsync(bed.Server.Http, "admin/login", new JsonObject { ["token"] = KeywayServer.AdminToken + "-typo" });
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.Status);

        // Requests: a 401 echoing the key (failover to the spare), a relayed 400 and a 500 echoing it, a stream, an
        // Anthropic error echoing its key, a web search whose provider refuses, and a wrong issued key.
        bed.Upstream.ReplyForKey(MainKey, FakeReply.OpenAIError(401, $"Incorrect API key provided: {MainKey}, vendor token {VendorToken}", "invalid_request_error", "invalid_api_key"), times: 1);
        answers.Add(await ChatAsync(bed, HttpStatusCode.OK));
        bed.Upstream.ReplyForKey(SpareKey, FakeReply.OpenAIError(400, $"Unsupported parameter for key {SpareKey} (Keyway session, {VendorToken})", "invalid_request_error"), times: 1);
        answers.Add(await ChatAsync(bed, HttpStatusCode.BadRequest));
        bed.Upstream.ReplyForKey(SpareKey, FakeReply.PlainText(500, $"upstream crashed while serving {SpareKey}"), times: 1);
        answers.Add(await ChatAsync(bed, HttpStatusCode.InternalServerError));
        answers.Add(await ChatAsync(bed, HttpStatusCode.OK, stream: true));
        bed.Upstream.ReplyForKey(AdminApi.DefaultUpstreamKey, FakeReply.AnthropicError(400, "invalid_request_error", $"bad request with x-api-key {AdminApi.DefaultUpstreamKey}"), times: 1);
        using (var message = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}""", ("anthropic-version", "2023-06-01")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, message.StatusCode);
            answers.Add(await message.Content.ReadAsStringAsync());
        }
        bed.Upstream.ReplyForKey(SpareKey, WebSearchBed.ChatToolCalls(("call_1", "tavily_search", WebSearchBed.SearchArgs("keyway release"))), times: 1);
        tavily.FailNext(401);
        answers.Add(await ChatAsync(bed, HttpStatusCode.OK));
        using var stranger = bed.Server.ClientWithKey(WrongIssuedKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync("v1/chat/completions", GatewayTestBed.Json(KeyPoolBed.ChatBody))).StatusCode);
        using (var second = bed.Server.ClientWithKey(secondKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await second.PostAsync("v1/chat/completions", GatewayTestBed.Json(KeyPoolBed.ChatBody))).StatusCode);
        }
        var rows = await bed.WaitForLogsAsync(7);
        Assert.Single(tavily.Requests);

        string[] secrets = [KeywayServer.AdminToken, KeywayServer.Secret, MainKey, SpareKey, AdminApi.DefaultUpstreamKey, FakeTavily.ApiKey, bed.Key, secondKey, WrongIssuedKey, VendorToken];
        Assert.True(log.Count > 0, "the server logged nothing at trace level");
        var requestLog = string.Join('\n', rows.Select(row => row.GetRawText()));
        // The echoing errors did reach the log rows and the key health, masked.
        Assert.Contains("Unsupported parameter for key", requestLog);
        // A header value that is no credential (X-Title) is not masked where it merely appears.
        Assert.Contains("(Keyway session, ", requestLog);
        Assert.Contains("upstream crashed while serving", requestLog);
        var health = (await AdminApi.OkAsync(admin, HttpMethod.Get, "admin/llm/health")).GetRawText();
        Assert.Contains("Incorrect API key provided", health);
        var database = DatabaseText(bed.Server.Options.DatabasePath) + health;
        foreach (var secret in secrets)
        {
            Assert.False(log.Text.Contains(secret, StringComparison.Ordinal), $"server log holds {secret}");
            Assert.False(requestLog.Contains(secret, StringComparison.Ordinal), $"request log holds {secret}");
            Assert.False(database.Contains(secret, StringComparison.Ordinal), $"database file holds {secret}");
        }
        foreach (var secret in new[] { MainKey, SpareKey, AdminApi.DefaultUpstreamKey, FakeTavily.ApiKey, VendorToken })
        {
            Assert.All(answers, answer => Assert.DoesNotContain(secret, answer));
        }
    }

    /// <summary>
    /// An upstream that fails after the first byte with an error event echoing its own key and the client's (as
    /// "Incorrect API key provided: sk-…" does): the error reaches the client's stream and the log row, masked, whether
    /// the stream is passed through or translated, for each protocol on either side.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", ResponsesAlias)]
    [InlineData("v1/messages", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", GatewayTestBed.AnthropicAlias)]
    public async Task UpstreamEchoingTheKeysInAMidStreamError_ReachesClientAndLogMasked(string path, string alias)
    {
        var log = new CapturedLog();
        await using var bed = await StartLoggingAtTraceAsync(log);
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "fake-responses", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(bed.Admin, "default", ResponsesAlias, "fake-responses", "responses-upstream-model");
        var echo = $"Incorrect API key provided: {AdminApi.DefaultUpstreamKey} (caller {bed.Key})";
        bed.Upstream.Enqueue(FakeReply.Status(200, StreamFailingWith(alias, echo), contentType: "text/event-stream"));

        using var response = await bed.PostAsync(path, StreamingBody(path, alias), ("anthropic-version", "2023-06-01"));
        var answer = await response.Content.ReadAsStringAsync();
        var row = (await bed.WaitForLogsAsync(1)).Single().GetRawText();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Incorrect API key provided: sk-", answer);
        Assert.Contains("Incorrect API key provided: sk-", row);
        foreach (var secret in new[] { AdminApi.DefaultUpstreamKey, bed.Key })
        {
            Assert.DoesNotContain(secret, answer);
            Assert.DoesNotContain(secret, row);
            Assert.False(log.Text.Contains(secret, StringComparison.Ordinal), $"server log holds {secret}");
        }
    }

    /// <summary>
    /// Claude Code with both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set sends a vendor key as the Bearer token and the
    /// Keyway key as x-api-key: the key that authenticated is the x-api-key one, and an upstream error echoing it (and the
    /// other presented value) reaches the client, the log row and the server log masked, whole or streamed.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpstreamEchoingTheXApiKeyKeywayKey_WhileABearerRidesBeside_ReachesClientAndLogMasked(bool stream)
    {
        const string BearerVendorKey = "sk-ant-vendor-3f9a1c7e5b2d4a6c";
        var log = new CapturedLog();
        await using var bed = await StartLoggingAtTraceAsync(log);
        var echo = $"Incorrect API key provided: {AdminApi.DefaultUpstreamKey} (caller {bed.Key}, bearer {BearerVendorKey})";
        bed.Upstream.Enqueue(stream
            ? FakeReply.Status(200, StreamFailingWith(GatewayTestBed.AnthropicAlias, echo), contentType: "text/event-stream")
            : FakeReply.AnthropicError(400, "invalid_request_error", echo));
        var body = $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hi"}]}""";

        using var response = await bed.PostWithAuthAsync(
            "v1/messages", body, new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BearerVendorKey), ("x-api-key", bed.Key), ("anthropic-version", "2023-06-01"));
        var answer = await response.Content.ReadAsStringAsync();
        var row = (await bed.WaitForLogsAsync(1)).Single().GetRawText();

        Assert.Equal(stream ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Incorrect API key provided: sk-", answer);
        Assert.Contains("Incorrect API key provided: sk-", row);
        foreach (var secret in new[] { AdminApi.DefaultUpstreamKey, bed.Key, BearerVendorKey })
        {
            Assert.DoesNotContain(secret, answer);
            Assert.DoesNotContain(secret, row);
            Assert.False(log.Text.Contains(secret, StringComparison.Ordinal), $"server log holds {secret}");
        }
    }

    [Fact]
    public async Task ResponsesWebSocketUpstreamEchoingItsKeyInAnErrorEvent_ReachesClientAndLogMasked()
    {
        var log = new CapturedLog();
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartLoggingAtTraceAsync(log);
        await WebSocketRoute.AddAsync(bed.Admin, "fake-ws", fake.BaseAddress, websocket: true, "ws-alias", "ws-upstream-model");
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "ws-alias", bed.Key);

        var request = new JsonObject { ["type"] = "response.create", ["model"] = "ws-alias", ["input"] = FakeResponsesWebSocket.EchoKeyInput };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        string answer;
        do
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            answer = Encoding.UTF8.GetString(buffer, 0, received.Count);
        }
        while (!answer.StartsWith("""{"type":"error""", StringComparison.Ordinal));
        var row = (await bed.WaitForLogsAsync(1)).Single().GetRawText();

        Assert.Contains("Incorrect API key provided: sk-", answer);
        Assert.Contains("Incorrect API key provided: sk-", row);
        Assert.DoesNotContain(AdminApi.DefaultUpstreamKey, answer);
        Assert.DoesNotContain(AdminApi.DefaultUpstreamKey, row);
        Assert.False(log.Text.Contains(AdminApi.DefaultUpstreamKey, StringComparison.Ordinal), "server log holds the upstream key");
    }

    private const string ResponsesAlias = "responses-alias";

    /// <summary>The alias's upstream protocol's first events of an answer, then its error event carrying <paramref name="message"/>.</summary>
    private static string StreamFailingWith(string alias, string message)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["code"] = "invalid_api_key" }.ToJsonString();
        return alias switch
        {
            GatewayTestBed.OpenAIAlias =>
                """data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}"""
                + "\n\ndata: {\"error\":" + error + "}\n\n",
            GatewayTestBed.AnthropicAlias =>
                "event: message_start\n"
                + """data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}"""
                + "\n\nevent: content_block_delta\n"
                + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"""
                + "\n\nevent: error\ndata: {\"type\":\"error\",\"error\":" + new JsonObject { ["type"] = "authentication_error", ["message"] = message }.ToJsonString() + "}\n\n",
            _ =>
                "event: response.created\n"
                + """data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}"""
                + "\n\nevent: response.failed\n"
                + """data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","object":"response","created_at":1,"status":"failed","model":"m","output":[],"error":"""
                + error + "}}\n\n",
        };
    }

    private static string StreamingBody(string path, string alias) => path switch
    {
        "v1/messages" => $$"""{"model":"{{alias}}","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""",
        "v1/responses" => $$"""{"model":"{{alias}}","stream":true,"input":"Hi"}""",
        _ => $$"""{"model":"{{alias}}","stream":true,"messages":[{"role":"user","content":"Hi"}]}""",
    };

    private static Task<GatewayTestBed> StartLoggingAtTraceAsync(CapturedLog log) => GatewayTestBed.StartAsync(
        options => options with { LogLevel = "trace" },
        services => services.AddSingleton<ILoggerProvider>(log));

    private static async Task<string> ChatAsync(GatewayTestBed bed, HttpStatusCode expected, bool stream = false)
    {
        var body = $$"""{"model":"gpt-alias","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"What changed in the release?"}]}""";
        using var response = await bed.PostAsync("v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The database and its write-ahead log as text (SQLite keeps strings as UTF-8 bytes).</summary>
    private static string DatabaseText(string path) => string.Join('\n',
        new[] { path, path + "-wal" }.Where(File.Exists).Select(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return Encoding.UTF8.GetString(copy.ToArray());
        }));
}
