using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Tools;

/// <summary>When the gateway adds its <c>tavily_search</c> tool to the upstream request, and when it leaves the body alone.</summary>
public sealed class WebSearchInjectionTests
{
    private const string Description =
        "Search the web for current information using Tavily. Returns a list of relevant results with title, url, and content snippets.";

    private static readonly string ChatBody =
        """{"model":"gpt-alias","messages":[{"role":"user","content":"hï"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}] , "temperature":0.5}""";

    private static string Upstream(string clientBody, string alias, string model) => clientBody.Replace($"\"{alias}\"", $"\"{model}\"", StringComparison.Ordinal);

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task NoEnabledProvider_TheBodyIsUntouched(bool withProvider, bool enabled)
    {
        await using var bed = await WebSearchBed.StartAsync(withProvider, enabled);

        await bed.PostOkAsync("v1/chat/completions", ChatBody);

        Assert.Equal(Upstream(ChatBody, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task Chat_TheToolJoinsTheClientsTools_EveryOtherByteKept()
    {
        await using var bed = await WebSearchBed.StartAsync();

        await bed.PostOkAsync("v1/chat/completions", ChatBody);

        var sent = bed.Upstream.Last.Body;
        var rewritten = Upstream(ChatBody, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel);
        var toolsEnd = rewritten.IndexOf("}}]", StringComparison.Ordinal) + 2;
        Assert.StartsWith(rewritten[..toolsEnd] + ",", sent, StringComparison.Ordinal);
        Assert.EndsWith(rewritten[toolsEnd..], sent, StringComparison.Ordinal);
        var tools = bed.Upstream.Last.Json.GetProperty("tools").EnumerateArray().ToArray();
        Assert.Equal(2, tools.Length);
        Assert.Equal("function", tools[1].GetProperty("type").GetString());
        AssertSchema(tools[1].GetProperty("function"), "parameters");
    }

    /// <summary>A copied group's tool provider is <c>{group}.tavily</c>: matched on kind, not id.</summary>
    [Fact]
    public async Task CopiedGroup_HasWebSearchToo()
    {
        await using var bed = await WebSearchBed.StartAsync();
        await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "Copy", ["new_group_id"] = "copy" });
        using var client = bed.Gateway.Server.ClientWithKey(await AdminApi.CreateKeyAsync(bed.Gateway.Admin, "copy"));

        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json("""{"model":"gpt-alias","messages":[{"role":"user","content":"use the tool tavily_search"}]}"""));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
    }

    [Fact]
    public async Task Chat_WithoutTools_GetsAToolsArray()
    {
        await using var bed = await WebSearchBed.StartAsync();
        const string body = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";

        await bed.PostOkAsync("v1/chat/completions", body);

        var sent = bed.Upstream.Last.Body;
        Assert.StartsWith(Upstream(body, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)[..^1] + ",\"tools\":[", sent, StringComparison.Ordinal);
        AssertSchema(Assert.Single(bed.Upstream.Last.Json.GetProperty("tools").EnumerateArray()).GetProperty("function"), "parameters");
    }

    [Fact]
    public async Task Anthropic_TheToolHasAnInputSchema()
    {
        await using var bed = await WebSearchBed.StartAsync();

        await bed.PostOkAsync("v1/messages", """{"model":"claude-alias","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");

        var tool = Assert.Single(bed.Upstream.Last.Json.GetProperty("tools").EnumerateArray());
        Assert.False(tool.TryGetProperty("type", out _));
        AssertSchema(tool, "input_schema");
    }

    [Theory]
    [InlineData("""{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"tavily_search","parameters":{"type":"object"}}}]}""")]
    [InlineData("""{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"none"}""")]
    [InlineData("""{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}],"tools":null}""")]
    public async Task ClientsOwnTool_ToolChoiceNone_OrToolsNotAnArray_LeaveTheBodyAlone(string body)
    {
        await using var bed = await WebSearchBed.StartAsync();

        using var response = await bed.Gateway.PostAsync("v1/chat/completions", body);
        await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Upstream(body, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task Anthropic_ToolChoiceNone_LeavesTheBodyAlone()
    {
        await using var bed = await WebSearchBed.StartAsync();
        const string body = """{"model":"claude-alias","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"none"}}""";

        await bed.PostOkAsync("v1/messages", body);

        Assert.Equal(Upstream(body, GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task OptOutHeader_LeavesTheBodyAlone()
    {
        await using var bed = await WebSearchBed.StartAsync();

        await bed.PostOkAsync("v1/chat/completions", ChatBody, ("x-keyway-web-search", "off"));

        Assert.Equal(Upstream(ChatBody, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task RouteSwitchedOff_LeavesTheBodyAlone_UntilSwitchedBack()
    {
        await using var bed = await WebSearchBed.StartAsync();
        var routes = await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");
        var routeId = routes.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias)
            .GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["web_search"] = "off" });

        await bed.PostOkAsync("v1/chat/completions", ChatBody);
        Assert.Equal(Upstream(ChatBody, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel), bed.Upstream.Last.Body);

        await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["web_search"] = "auto" });
        await bed.PostOkAsync("v1/chat/completions", ChatBody);
        Assert.Equal(2, bed.Upstream.Last.Json.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task KeySwitchedOff_LeavesTheBodyAlone()
    {
        await using var bed = await WebSearchBed.StartAsync();
        var created = await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
            new JsonObject { ["name"] = "no search", ["web_search"] = "off" });
        using var client = bed.Gateway.Server.ClientWithKey(created.GetProperty("plaintext").GetString()!);

        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(ChatBody));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Upstream(ChatBody, GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel), bed.Upstream.Last.Body);
    }

    private static void AssertSchema(JsonElement tool, string schemaName)
    {
        Assert.Equal("tavily_search", tool.GetProperty("name").GetString());
        Assert.Equal(Description, tool.GetProperty("description").GetString());
        var schema = tool.GetProperty(schemaName);
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("query").GetProperty("type").GetString());
        var maxResults = schema.GetProperty("properties").GetProperty("max_results");
        Assert.Equal("integer", maxResults.GetProperty("type").GetString());
        Assert.Equal((1, 20, 5), (maxResults.GetProperty("minimum").GetInt32(), maxResults.GetProperty("maximum").GetInt32(), maxResults.GetProperty("default").GetInt32()));
        Assert.Equal(["query"], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }
}
