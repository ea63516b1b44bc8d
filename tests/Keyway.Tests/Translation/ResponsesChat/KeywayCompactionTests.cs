using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>
/// Server-side compaction on a route translated to Chat: Codex (provider named "OpenAI") ends a request with a
/// <c>compaction_trigger</c> item and needs exactly one <c>compaction</c> output item back, which it sends again in its
/// later requests (https://developers.openai.com/api/docs/guides/compaction; item shape from
/// https://platform.openai.com/docs/api-reference/responses/compact).
/// </summary>
public sealed class KeywayCompactionTests
{
    private const string Summary = "Goal: fix the parser. Done: edited src/parse.rs; `cargo test` fails in lexer::tests::utf8 — next: fix it.";

    private const string TriggerRequest = """
        {"model":"m","stream":true,"instructions":"You are Codex.","input":[
          {"role":"user","content":"fix the parser"},
          {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\"cmd\":\"cargo test\"}"},
          {"type":"function_call_output","call_id":"call_1","output":"1 failed"},
          {"type":"compaction_trigger"}],
         "tools":[{"type":"function","name":"shell","parameters":{"type":"object"}}],"tool_choice":"auto",
         "text":{"format":{"type":"json_schema","name":"x","schema":{"type":"object"}}}}
        """;

    [Fact]
    public void TheTrigger_AsksTheModelForASummary_OfTheWholeHistory_WithoutTools()
    {
        using var translated = ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(TriggerRequest), Context);
        var chat = JsonNode.Parse(translated.Body.ToArray())!;

        Assert.True(translated.Compaction);
        var messages = chat["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool", "user"], messages.Select(message => message!["role"]!.GetValue<string>()));
        Assert.Equal(KeywayCompaction.Prompt, messages[^1]!["content"]!.GetValue<string>());
        Assert.Null(chat["tools"]);
        Assert.Null(chat["tool_choice"]);
        Assert.Null(chat["response_format"]);
        Assert.True(chat["stream"]!.GetValue<bool>());
    }

    [Fact]
    public void ARequestWithoutTrigger_IsNoCompaction()
    {
        using var translated = ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes("""{"model":"m","input":"hi"}"""), Context);

        Assert.False(translated.Compaction);
    }

    [Fact]
    public void TheWholeAnswer_IsOneCompactionItem_CarryingTheSummary()
    {
        using var request = CompactionRequest();

        var response = JsonNode.Parse(ChatResponseToResponses.Translate(ChatCompletion(Summary), request, Context))!;

        var item = Assert.Single(response["output"]!.AsArray())!;
        Assert.Equal("compaction", item["type"]!.GetValue<string>());
        Assert.Equal("cmp_67ccd2bed1ec8190", item["id"]!.GetValue<string>());
        Assert.True(KeywayCompaction.TryOpen(item["encrypted_content"]!.GetValue<string>(), out var summary));
        Assert.Equal(Summary, summary);
        Assert.Equal("completed", response["status"]!.GetValue<string>());
        Assert.Equal(7, response["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void AWholeAnswerWithoutText_IsATranslationFailure()
    {
        using var request = CompactionRequest();

        var failure = Assert.Throws<TranslationException>(() => ChatResponseToResponses.Translate(ChatCompletion(""), request, Context));

        Assert.Equal("The upstream wrote no summary for the compaction.", failure.Message);
    }

    /// <summary>What Codex reads: one compaction item announced and done (not the summary's text deltas), then completed.</summary>
    [Fact]
    public void TheStreamedAnswer_IsOneCompactionItem_AnnouncedWhenTheSummaryIsWhole()
    {
        using var request = CompactionRequest();

        var events = ParseEvents(RunStream(ChatStream("Goal: fix ", "the parser.", reasoning: "thinking…"), request));

        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.output_item.done", "response.completed"],
            events.Select(e => e.Name));
        var done = events[3].Data["item"]!;
        Assert.Equal("compaction", done["type"]!.GetValue<string>());
        Assert.True(KeywayCompaction.TryOpen(done["encrypted_content"]!.GetValue<string>(), out var summary));
        Assert.Equal("Goal: fix the parser.", summary);
        var output = events[^1].Data["response"]!["output"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(done, Assert.Single(output)));
    }

    [Fact]
    public void AStreamWithoutSummary_Fails()
    {
        using var request = CompactionRequest();

        var events = ParseEvents(RunStream(ChatStream(), request));

        Assert.Equal("response.failed", events[^1].Name);
        Assert.Equal("The upstream wrote no summary for the compaction.", events[^1].Data["response"]!["error"]!["message"]!.GetValue<string>());
    }

    /// <summary>Codex's next request carries the item in place of the history it replaced: the model reads the summary.</summary>
    [Fact]
    public void KeywaysItemInALaterRequest_IsReadBackAsTheSummary()
    {
        var input = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "fix the parser" },
            new JsonObject { ["type"] = "compaction", ["id"] = "cmp_1", ["encrypted_content"] = KeywayCompaction.Seal(Summary) },
            new JsonObject { ["role"] = "user", ["content"] = "go on" });

        var messages = TranslateInput(input);

        Assert.Equal(["fix the parser", KeywayCompaction.SummaryPreface + Summary, "go on"], messages.Select(message => message!["content"]!.GetValue<string>()));
    }

    [Fact]
    public void OpenAIsOwnItem_IsDropped_ItsSummaryOnlyOpenAICanRead()
    {
        var input = new JsonArray(
            new JsonObject { ["type"] = "compaction", ["encrypted_content"] = "gAAAAABopaque" },
            new JsonObject { ["role"] = "user", ["content"] = "go on" });

        Assert.Equal(["go on"], TranslateInput(input).Select(message => message!["content"]!.GetValue<string>()));
    }

    [Fact]
    public void ADamagedItemOfKeyways_IsRefusedWithTheReason()
    {
        var input = new JsonArray(new JsonObject { ["type"] = "compaction", ["encrypted_content"] = KeywayCompaction.ContentPrefix + "not*base64" });

        var failure = Assert.Throws<TranslationException>(() => TranslateInput(input));

        Assert.Contains("encrypted_content is damaged", failure.Message, StringComparison.Ordinal);
    }

    private static TranslatedRequest CompactionRequest() => ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(TriggerRequest), Context);

    private static JsonArray TranslateInput(JsonArray input)
    {
        var request = new JsonObject { ["model"] = "m", ["input"] = input };
        using var translated = ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(request.ToJsonString()), Context);
        return JsonNode.Parse(translated.Body.ToArray())!["messages"]!.AsArray();
    }

    private static byte[] ChatCompletion(string text) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = "chatcmpl-1",
        ["object"] = "chat.completion",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 40, ["completion_tokens"] = 7, ["total_tokens"] = 47 },
    }.ToJsonString());

    private static byte[] ChatStream(params string[] texts) => ChatStream(texts, reasoning: null);

    private static byte[] ChatStream(string first, string second, string reasoning) => ChatStream([first, second], reasoning);

    private static byte[] ChatStream(string[] texts, string? reasoning)
    {
        var chunks = new List<JsonObject>();
        if (reasoning is not null)
        {
            chunks.Add(Chunk(new JsonObject { ["reasoning_content"] = reasoning }, finishReason: null));
        }
        chunks.AddRange(texts.Select(text => Chunk(new JsonObject { ["content"] = text }, finishReason: null)));
        chunks.Add(Chunk(new JsonObject(), finishReason: "stop"));
        var sse = new StringBuilder();
        foreach (var chunk in chunks)
        {
            sse.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");
        }
        return Encoding.UTF8.GetBytes(sse.Append("data: [DONE]\n\n").ToString());
    }

    private static JsonObject Chunk(JsonObject delta, string? finishReason) => new()
    {
        ["id"] = "chatcmpl-1",
        ["object"] = "chat.completion.chunk",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    };
}
