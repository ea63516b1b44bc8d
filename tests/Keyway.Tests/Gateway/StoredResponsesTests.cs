using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Gateway;

/// <summary>
/// <c>previous_response_id</c> and the stored-response endpoints on routes Keyway translates, as OpenAI documents them:
/// https://platform.openai.com/docs/api-reference/responses/create#responses-create-previous_response_id (the previous
/// turns' input and output come before the new input; their <c>instructions</c> are not carried over),
/// https://platform.openai.com/docs/api-reference/responses/get, …/responses/delete (<c>{"id","object":"response","deleted":true}</c>)
/// and …/responses/input-items (a list object, newest first by default). An id OpenAI has not stored for the caller is
/// its 400 <c>{"message":"Previous response with id '…' not found.","type":"invalid_request_error",
/// "param":"previous_response_id","code":"previous_response_not_found"}</c> (as relayed in maximhq/bifrost#2441).
/// </summary>
public sealed class StoredResponsesTests
{
    private static string Turn(string alias, string input, string? previousId = null, bool stream = false, string instructions = "Be brief.", bool? store = null) =>
        new JsonObject
        {
            ["model"] = alias,
            ["instructions"] = instructions,
            ["input"] = input,
            ["stream"] = stream,
            ["previous_response_id"] = previousId,
            ["store"] = store,
        }.ToJsonString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TwoChainedTurns_OnAChatRoute_SendTheFirstTurnBeforeTheSecondInput_WithoutItsInstructions(bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "turn one", stream: stream, instructions: "First system."), stream);
        var second = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "turn two", First(first), stream, "Second system."), stream);

        Assert.Equal(First(first), second["previous_response_id"]!.GetValue<string>());
        Assert.True(second["store"]!.GetValue<bool>());
        Assert.Equal(
            [("system", "Second system."), ("user", "turn one"), ("assistant", FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel)), ("user", "turn two")],
            ChatMessages(bed.Upstream.Last));
    }

    /// <summary>The turn is stored before <c>response.completed</c> leaves: a client may continue the moment it reads it.</summary>
    [Fact]
    public async Task AStreamedTurn_IsReadableAsSoonAsItsCompletedEventArrives()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/responses", Turn(GatewayTestBed.OpenAIAlias, "one", stream: true));
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await events.ReadLineAsync() is { } line && line != "event: response.completed")
        {
        }
        var completed = JsonNode.Parse((await events.ReadLineAsync())!["data: ".Length..])!["response"]!;

        using var read = await bed.Client.GetAsync($"v1/responses/{First(completed)}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task AThreeTurnChain_CarriesBothEarlierTurnsOldestFirst()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var reply = FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel);

        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one"));
        var second = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "two", First(first), stream: true), stream: true);
        await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "three", First(second)));

        Assert.Equal(
            [("system", "Be brief."), ("user", "one"), ("assistant", reply), ("user", "two"), ("assistant", reply), ("user", "three")],
            ChatMessages(bed.Upstream.Last));
    }

    /// <summary>Responses → Chat → Anthropic: the conversation reaches the Messages API as alternating turns.</summary>
    [Fact]
    public async Task OnAnAnthropicRoute_TheChainReachesTheMessagesApi()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.AnthropicAlias, "turn one", stream: true), stream: true);
        await CreateAsync(bed.Client, Turn(GatewayTestBed.AnthropicAlias, "turn two", First(first)));

        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/messages", upstream.Path);
        Assert.Equal("Be brief.", upstream.Json.GetProperty("system").ValueKind == JsonValueKind.String
            ? upstream.Json.GetProperty("system").GetString()
            : upstream.Json.GetProperty("system")[0].GetProperty("text").GetString());
        var messages = upstream.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user"], messages.Select(message => message.GetProperty("role").GetString()!));
        Assert.Contains("turn one", messages[0].ToString(), StringComparison.Ordinal);
        Assert.Contains(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), messages[1].ToString(), StringComparison.Ordinal);
        Assert.Contains("turn two", messages[2].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResponseSentWithStoreFalse_CannotBeContinued()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one", store: false));
        Assert.False(first.AsObject().ContainsKey("store"));

        await AssertPreviousNotFoundAsync(bed.Client, First(first));
    }

    [Fact]
    public async Task AnotherIssuedKey_DoesNotFindTheResponse_NorReadOrDeleteIt()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "secret plans"));
        using var other = bed.Server.ClientWithKey(await AdminApi.CreateKeyAsync(bed.Admin, "default", "other"));

        await AssertPreviousNotFoundAsync(other, First(first));
        using var read = await other.GetAsync($"v1/responses/{First(first)}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using var items = await other.GetAsync($"v1/responses/{First(first)}/input_items");
        Assert.Equal(HttpStatusCode.NotFound, items.StatusCode);
        using var delete = await other.DeleteAsync($"v1/responses/{First(first)}");
        Assert.NotEqual(HttpStatusCode.OK, delete.StatusCode);
        using var stillThere = await bed.Client.GetAsync($"v1/responses/{First(first)}");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    /// <summary>
    /// A turn expires KEYWAY_RESPONSE_STORE_DAYS after it was stored; here one is moved past its expiry in the database
    /// (a clock moved by days would also fire every background loop of the server).
    /// </summary>
    [Fact]
    public async Task AnExpiredResponse_IsNotFound_AndRetentionPrunesIt()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { ResponseStoreDays = 2 });
        var expired = First(await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one")));
        await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "two"));
        var (created, expires) = await bed.Server.WithDatabaseAsync(connection => connection.QuerySingleAsync<(string, string)>(
            "SELECT created_at, expires_at FROM stored_responses WHERE response_id = @expired", new { expired }));
        Assert.Equal(TimeSpan.FromDays(2), DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(created, CultureInfo.InvariantCulture));

        await bed.Server.WithDatabaseAsync(connection => connection.ExecuteAsync(
            "UPDATE stored_responses SET expires_at = created_at WHERE response_id = @expired", new { expired }));

        await AssertPreviousNotFoundAsync(bed.Client, expired);
        using var read = await bed.Client.GetAsync($"v1/responses/{expired}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        var retention = bed.Server.Services.GetRequiredService<Keyway.Gateway.StoredResponseRetentionService>();
        Assert.Equal(1, await retention.PruneOnceAsync(CancellationToken.None));
        Assert.Equal(1, await StoredRowCountAsync(bed));
    }

    [Fact]
    public async Task GetDeleteAndInputItems_ServeTheKeysStoredResponse()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var created = await CreateAsync(bed.Client, new JsonObject
        {
            ["model"] = GatewayTestBed.OpenAIAlias,
            ["input"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "first question" },
                new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "second" }) }),
        }.ToJsonString());
        var id = First(created);

        using var read = await bed.Client.GetAsync($"v1/responses/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(JsonNode.DeepEquals(created, JsonNode.Parse(await read.Content.ReadAsStringAsync())));

        var items = await JsonAsync(bed.Client, $"v1/responses/{id}/input_items");
        Assert.Equal("list", items["object"]!.GetValue<string>());
        var data = items["data"]!.AsArray();
        Assert.Equal(["second", "first question"], data.Select(item => item!["content"] is JsonArray parts ? parts[0]!["text"]!.GetValue<string>() : item["content"]!.GetValue<string>()));
        Assert.All(data, item => Assert.StartsWith("msg_", item!["id"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(data[0]!["id"]!.GetValue<string>(), items["first_id"]!.GetValue<string>());
        Assert.False(items["has_more"]!.GetValue<bool>());
        var page = await JsonAsync(bed.Client, $"v1/responses/{id}/input_items?order=asc&limit=1");
        Assert.Equal("first question", page["data"]![0]!["content"]!.GetValue<string>());
        Assert.True(page["has_more"]!.GetValue<bool>());
        var next = await JsonAsync(bed.Client, $"v1/responses/{id}/input_items?order=asc&after={page["last_id"]!.GetValue<string>()}");
        Assert.Equal(data[0]!["id"]!.GetValue<string>(), next["data"]!.AsArray().Single()!["id"]!.GetValue<string>());

        using var deleted = await bed.Client.DeleteAsync($"v1/responses/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true }, JsonNode.Parse(await deleted.Content.ReadAsStringAsync())));
        using var gone = await bed.Client.GetAsync($"v1/responses/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await AssertPreviousNotFoundAsync(bed.Client, id);
    }

    /// <summary>
    /// A body-less read or delete (what <c>client.responses.retrieve/delete(id)</c> sends) of an id Keyway does not hold —
    /// never stored, or deleted already — is OpenAI's 404 for a response it does not have (as relayed in BerriAI/litellm's
    /// tests): <c>{"message":"Response with id '…' not found.","type":"invalid_request_error","param":null,"code":null}</c>.
    /// </summary>
    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/input_items")]
    [InlineData("DELETE", "")]
    public async Task ABodylessRequest_ForAnIdKeywayDoesNotHold_IsOpenAIs404(string method, string suffix)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var id = First(await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one")));
        using var deleted = await bed.Client.DeleteAsync($"v1/responses/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        foreach (var missing in (string[])[id, "resp_never_stored"])
        {
            using var response = await bed.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"v1/responses/{missing}{suffix}"));

            await GatewayErrorAssert.OpenAIExactAsync(response, 404, $"Response with id '{missing}' not found.", "invalid_request_error", null, null);
        }
        Assert.Equal(1, bed.Upstream.RequestCount);
    }

    /// <summary>An empty chunked body (<c>Transfer-Encoding: chunked</c>, then its last chunk at once) is no body: the same 404.</summary>
    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/input_items")]
    [InlineData("DELETE", "")]
    public async Task AnEmptyChunkedBody_ForAnIdKeywayDoesNotHold_IsOpenAIs404(string method, string suffix)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"v1/responses/resp_never_stored{suffix}") { Content = new StreamContent(Stream.Null) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await bed.Client.SendAsync(request);

        await GatewayErrorAssert.OpenAIExactAsync(response, 404, "Response with id 'resp_never_stored' not found.", "invalid_request_error", null, null);
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    /// <summary>
    /// A delete that names a model is still the pass-through: an openai-responses provider keeps its own responses. A
    /// chunked one too, whole: Keyway looked for its first byte and left it to be read.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADeleteNamingAModel_OfAnIdKeywayDoesNotHold_GoesUpstream(bool chunked)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var body = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Delete, "v1/responses/resp_upstream") { Content = GatewayTestBed.Json(body) };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Replace(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, StringComparison.Ordinal), bed.Upstream.Last.Body);
        Assert.Equal("DELETE", bed.Upstream.Last.Method);
        Assert.Equal("/v1/responses/resp_upstream", bed.Upstream.Last.Path);
    }

    [Fact]
    public async Task WithoutAKey_ReadAndDelete_Are401()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var read = await bed.Server.Http.GetAsync("v1/responses/resp_x");
        using var delete = await bed.Server.Http.DeleteAsync("v1/responses/resp_x");

        await GatewayErrorAssert.OpenAIAsync(read, 401, "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
        await GatewayErrorAssert.OpenAIAsync(delete, 401, "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
    }

    [Fact]
    public async Task TheStoredTurn_IsSealed_NotPlaintext()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var created = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "my bank password is hunter2"));

        var rows = await bed.Server.WithDatabaseAsync(async connection =>
            (await connection.QueryAsync<string>("SELECT response_id || ' ' || key_id || ' ' || sealed_turn FROM stored_responses")).ToList());
        var row = Assert.Single(rows);
        Assert.StartsWith(First(created) + " ", row, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", row, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello from fake upstream", row, StringComparison.Ordinal);
        Assert.Contains(" v1.", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithStoringOff_NothingIsStored_AndNoIdIsFound()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { ResponseStoreDays = 0 });

        var first = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one"));

        await AssertPreviousNotFoundAsync(bed.Client, First(first));
        Assert.Equal(0, await StoredRowCountAsync(bed));
    }

    /// <summary>A turn that cannot be written (here: its table is gone) still answers whole; only continuing from it fails.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailedWrite_StillAnswers_AndTheResponseIsNotFoundLater(bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await bed.Server.WithDatabaseAsync(connection => connection.ExecuteAsync("DROP TABLE stored_responses"));

        var answer = await CreateAsync(bed.Client, Turn(GatewayTestBed.OpenAIAlias, "one", stream: stream), stream);

        Assert.Equal("completed", answer["status"]!.GetValue<string>());
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), answer["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        await bed.Server.WithDatabaseAsync(connection => connection.ExecuteAsync(
            "CREATE TABLE stored_responses (response_id TEXT PRIMARY KEY, previous_response_id TEXT, key_id TEXT, group_id TEXT, sealed_turn TEXT, created_at TEXT, expires_at TEXT)"));
        await AssertPreviousNotFoundAsync(bed.Client, First(answer));
    }

    private static async Task AssertPreviousNotFoundAsync(HttpClient client, string previousId)
    {
        using var response = await client.PostAsync("v1/responses", GatewayTestBed.Json(Turn(GatewayTestBed.OpenAIAlias, "next", previousId)));
        await GatewayErrorAssert.OpenAIExactAsync(
            response, 400, $"Previous response with id '{previousId}' not found.", "invalid_request_error", "previous_response_id", "previous_response_not_found");
    }

    /// <summary>The response object: the body, or the one <c>response.completed</c> carries.</summary>
    private static async Task<JsonNode> CreateAsync(HttpClient client, string body, bool stream = false)
    {
        using var response = await client.PostAsync("v1/responses", GatewayTestBed.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        if (!stream)
        {
            return JsonNode.Parse(text)!;
        }
        var completed = text.Split("\n\n").Single(sse => sse.StartsWith("event: response.completed\n", StringComparison.Ordinal));
        return JsonNode.Parse(completed[(completed.IndexOf("data: ", StringComparison.Ordinal) + 6)..])!["response"]!;
    }

    private static async Task<JsonNode> JsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static string First(JsonNode response) => response["id"]!.GetValue<string>();

    private static (string Role, string Text)[] ChatMessages(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray()
            .Select(message => (message.GetProperty("role").GetString()!, message.GetProperty("content").ValueKind == JsonValueKind.String
                ? message.GetProperty("content").GetString()!
                : string.Concat(message.GetProperty("content").EnumerateArray().Select(part => part.GetProperty("text").GetString()))))
            .ToArray();

    private static Task<long> StoredRowCountAsync(GatewayTestBed bed) =>
        bed.Server.WithDatabaseAsync(connection => connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stored_responses"));
}
