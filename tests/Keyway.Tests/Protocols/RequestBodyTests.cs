using System.Text;
using System.Text.Json;
using Keyway.Protocols;

namespace Keyway.Tests.Protocols;

public sealed class RequestBodyTests
{
    [Theory]
    [InlineData("{\"model\":\"a\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", "a", true, true)]
    [InlineData("{\"stream\":\"true\",\"model\":\"a\"}", "a", false, false)]
    [InlineData("{\"stream\":1,\"stream_options\":{\"include_usage\":1}}", null, false, false)]
    [InlineData("{\"mod\\u0065l\":\"caf\\u00e9\"}", "café", false, false)]
    [InlineData("{\"model\":42}", null, false, false)]
    [InlineData("{\"model\":\"a\",\"model\":\"b\"}", null, false, false)]
    [InlineData("{\"messages\":[{\"model\":\"x\"}],\"metadata\":{\"model\":\"y\",\"stream\":true}}", null, false, false)]
    [InlineData("\uFEFF{\"model\":\"bom\"}", "bom", false, false)]
    public void Parse_ReadsOnlyTopLevelMembers(string json, string? model, bool stream, bool includeUsage)
    {
        var parsed = RequestBody.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(RequestBodyStatus.Ok, parsed.Status);
        Assert.Equal(model, parsed.Model);
        Assert.Equal(stream, parsed.Stream);
        Assert.Equal(includeUsage, parsed.HasIncludeUsage);
    }

    /// <summary>
    /// Thinking blocks without a signature (Keyway's own, translated from a Chat upstream's reasoning; Anthropic refuses
    /// them: "Invalid `signature` in `thinking` block", https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking)
    /// are cut from an Anthropic body with their commas, a message left empty as a whole (Anthropic joins the turns on
    /// either side); <c>thinking</c> goes too when the tool loop in progress lost its opening block. Every other byte stays.
    /// </summary>
    [Theory]
    [InlineData(
        """{"model":"a","thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":""}, {"type":"text","text":"x"}]},{"role":"user","content":"q2"}]}""",
        """{"model":"b","thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"x"}]},{"role":"user","content":"q2"}]}""")]
    [InlineData(
        """{"model":"a","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"x"},{"signature" : "", "type":"thinking","thinking":"t"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"u","signature":""}]},{"role":"user","content":"q2"}],"thinking":{"type":"adaptive"}}""",
        """{"model":"b","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"x"}]},{"role":"user","content":"q2"}],"thinking":{"type":"adaptive"}}""")]
    [InlineData(
        """{"thinking":{"type":"enabled","budget_tokens":2048},"model":"a","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":""},{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"},{"type":"text","text":"é"}]}]}""",
        """{"model":"b","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"},{"type":"text","text":"é"}]}]}""")]
    [InlineData(
        """{"model":"a","messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"\"signature\":\"\""}]}]}""",
        """{"model":"b","messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"\"signature\":\"\""}]}]}""")]
    public void Edit_ForAnAnthropicUpstream_CutsUnsignedThinking(string json, string expected)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var edited = RequestBody.Edit(body, RequestBody.Parse(body), "b", injectIncludeUsage: false, dropUnsignedThinking: true);

        Assert.Equal(expected, Encoding.UTF8.GetString(edited.ToArray()));
    }

    /// <summary>The Responses API's conversation state (https://platform.openai.com/docs/api-reference/responses/create), top level only.</summary>
    [Theory]
    [InlineData("{\"store\":false,\"previous_response_id\":\"resp_1\"}", true, "resp_1")]
    [InlineData("{\"store\":true,\"previous_response_id\":\"\"}", false, null)]
    [InlineData("{\"store\":\"false\",\"previous_response_id\":7}", false, null)]
    [InlineData("{\"metadata\":{\"store\":false,\"previous_response_id\":\"resp_x\"}}", false, null)]
    public void Parse_ReadsStoreAndPreviousResponseId(string json, bool storeOff, string? previousResponseId)
    {
        var parsed = RequestBody.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(storeOff, parsed.StoreOff);
        Assert.Equal(previousResponseId, parsed.PreviousResponseId);
    }

    [Theory]
    [InlineData("{\"model\":\"a\",\"model\":\"b\"}", true)]
    [InlineData("{\"model\":\"a\",\"messages\":[{\"model\":\"b\"}]}", false)]
    [InlineData("{\"messages\":[]}", false)]
    public void Parse_TellsARepeatedModelFromAMissingOne(string json, bool repeated)
    {
        Assert.Equal(repeated, RequestBody.Parse(Encoding.UTF8.GetBytes(json)).ModelRepeated);
    }

    [Theory]
    [InlineData("", RequestBodyStatus.InvalidJson)]
    [InlineData("   ", RequestBodyStatus.InvalidJson)]
    [InlineData("{\"model\":\"a\"", RequestBodyStatus.InvalidJson)]
    [InlineData("{\"model\":\"a\"} {}", RequestBodyStatus.InvalidJson)]
    [InlineData("{\"model\":\"a\",}", RequestBodyStatus.InvalidJson)]
    [InlineData("{/*c*/}", RequestBodyStatus.InvalidJson)]
    [InlineData("[{\"model\":\"a\"}]", RequestBodyStatus.NotAnObject)]
    [InlineData("\"text\"", RequestBodyStatus.NotAnObject)]
    [InlineData("null", RequestBodyStatus.NotAnObject)]
    [InlineData("[1,2] x", RequestBodyStatus.InvalidJson)]
    public void Parse_RejectsBodiesThatAreNotOneJsonObject(string json, RequestBodyStatus expected)
    {
        Assert.Equal(expected, RequestBody.Parse(Encoding.UTF8.GetBytes(json)).Status);
    }

    [Fact]
    public void Parse_RejectsInvalidUtf8InTheModel()
    {
        byte[] body = [.. "{\"model\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal(RequestBodyStatus.InvalidJson, RequestBody.Parse(body).Status);
    }

    [Fact]
    public void Rewrite_ReplacesOnlyTheTopLevelModel_EveryOtherByteIdentical()
    {
        var body = ProtocolFixtures.Json("openai/chat_request.json");
        var parsed = RequestBody.Parse(body);
        Assert.Equal("my-alias", parsed.Model);
        Assert.True(parsed.Stream);

        var rewritten = RequestBody.Rewrite(body, parsed, "gpt-4o \"2024\" ünï", injectIncludeUsage: false);

        var original = Encoding.UTF8.GetString(body);
        var at = original.IndexOf("\"my-alias\"", StringComparison.Ordinal);
        var expected = string.Concat(original.AsSpan(0, at), "\"gpt-4o \\u00222024\\u0022 \\u00FCn\\u00EF\"", original.AsSpan(at + "\"my-alias\"".Length));
        Assert.Equal(expected, Encoding.UTF8.GetString(rewritten));
        Assert.Equal("gpt-4o \"2024\" ünï", RequestBody.Parse(rewritten).Model);
    }

    public static TheoryData<string, string?, string> Rewrites() => new()
    {
        { "{\"model\":\"a\",\"stream\":true}", "up", "{\"model\":\"up\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" },
        { "{ \"stream\" : true , \"model\" : \"a\" }", "up", "{ \"stream\" : true , \"model\" : \"up\",\"stream_options\":{\"include_usage\":true} }" },
        { "{\"stream\":true}", "up", "{\"model\":\"up\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" },
        { "{}", "up", "{\"model\":\"up\",\"stream_options\":{\"include_usage\":true}}" },
        { "{ }", null, "{\"stream_options\":{\"include_usage\":true} }" },
        { "{\"stream_options\":{}}", null, "{\"stream_options\":{\"include_usage\":true}}" },
        { "{\"stream_options\":{ }}", null, "{\"stream_options\":{\"include_usage\":true }}" },
        { "{\"stream_options\":{\"x\":[1,{\"include_usage\":false}]}}", null, "{\"stream_options\":{\"x\":[1,{\"include_usage\":false}],\"include_usage\":true}}" },
        { "{\"stream_options\":{\"include_usage\":false,\"y\":2}}", null, "{\"stream_options\":{\"include_usage\":true,\"y\":2}}" },
        { "{\"stream_options\":null,\"model\":\"a\"}", "b", "{\"stream_options\":{\"include_usage\":true},\"model\":\"b\"}" },
        { "{\"stream_options\":{\"include_usage\":true}}", "b", "{\"model\":\"b\",\"stream_options\":{\"include_usage\":true}}" },
        { "{\"model\":7,\"n\":1}", "b", "{\"model\":\"b\",\"n\":1,\"stream_options\":{\"include_usage\":true}}" },
        { "\n{\n  \"model\": \"a\",\n  \"x\": \"\\\"model\\\": 1\"\n}\n", "b", "\n{\n  \"model\": \"b\",\n  \"x\": \"\\\"model\\\": 1\",\"stream_options\":{\"include_usage\":true}\n}\n" },
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public void Rewrite_SplicesModelAndIncludeUsage(string json, string? newModel, string expected)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var rewritten = RequestBody.Rewrite(body, RequestBody.Parse(body), newModel, injectIncludeUsage: true);

        Assert.Equal(expected, Encoding.UTF8.GetString(rewritten));
        var reparsed = RequestBody.Parse(rewritten);
        Assert.Equal(RequestBodyStatus.Ok, reparsed.Status);
        Assert.True(reparsed.HasIncludeUsage);
    }

    [Theory]
    [MemberData(nameof(Rewrites))]
    public void Edit_InPieces_IsTheRewrite(string json, string? newModel, string expected)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var edited = RequestBody.Edit(body, RequestBody.Parse(body), newModel, injectIncludeUsage: true);

        var joined = edited.Pieces.SelectMany(piece => piece.ToArray()).ToArray();
        Assert.Equal(expected, Encoding.UTF8.GetString(joined));
        Assert.Equal(joined.Length, edited.Length);
        Assert.Equal(joined, edited.ToArray());
    }

    [Fact]
    public void Rewrite_WithNothingToChange_CopiesTheBody()
    {
        var body = "{\"model\":\"a\", \"é\":\"☃\"}"u8.ToArray();

        Assert.Equal(body, RequestBody.Rewrite(body, RequestBody.Parse(body), null, injectIncludeUsage: false));
    }

    [Fact]
    public void Rewrite_KeepsUnknownFieldsSemanticallyEqual()
    {
        var body = ProtocolFixtures.Json("openai/chat_request.json");

        var rewritten = RequestBody.Rewrite(body, RequestBody.Parse(body), "gpt-4o", injectIncludeUsage: true);

        using var before = JsonDocument.Parse(body);
        using var after = JsonDocument.Parse(rewritten);
        foreach (var member in before.RootElement.EnumerateObject().Where(m => m.Name != "model"))
        {
            Assert.True(JsonElement.DeepEquals(member.Value, after.RootElement.GetProperty(member.Name)), member.Name);
        }

        Assert.Equal("gpt-4o", after.RootElement.GetProperty("model").GetString());
        Assert.True(after.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public void Rewrite_RefusesABodyThatDidNotParse()
    {
        var body = "[]"u8.ToArray();

        Assert.Throws<ArgumentException>(() => RequestBody.Rewrite(body, RequestBody.Parse(body), "m", injectIncludeUsage: false));
    }
}
