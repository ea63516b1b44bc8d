using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using static Keyway.Tests.Hardening.Fuzz.FuzzJson;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// Upstream answers as the translators receive them: whole Chat completions and Anthropic messages, and SSE streams of
/// Chat chunks and Anthropic events (OpenAI "The chat completion chunk object", Anthropic "Streaming Messages"), with
/// fields valid, wrong-typed or missing, events out of order, and data lines that are not JSON at all.
/// </summary>
internal static class FuzzAnswers
{
    private static readonly Gen<JsonNode?> Usage = Fields(
        ("prompt_tokens", Number), ("completion_tokens", Number), ("input_tokens", Number), ("output_tokens", Number),
        ("cache_read_input_tokens", Number), ("prompt_tokens_details", Gen.Constant(JsonNode.Parse("""{"cached_tokens":3}""")))).AsNode();

    private static readonly Gen<JsonNode?> ToolCall = Fields(
        ("index", Gen.Elements<JsonNode?>(0, 1, 5, -1)), ("id", Str("call_1", "")), ("type", Str("function")),
        ("function", Fields(("name", Str("get_weather", "", "unknown_tool")), ("arguments", Str("{\"city\":", "\"Paris\"}", "{}", "not json"))).AsNode())).AsNode();

    private static readonly Gen<JsonNode?> AnthropicBlock = Fields(
        ("type", Str("text", "tool_use", "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result", "mystery")),
        ("text", TextNode), ("id", Str("toolu_1", "")), ("name", Str("get_weather", "", "unknown_tool")), ("input", Any(2)),
        ("thinking", TextNode), ("signature", Str("sig"))).AsNode();

    public static Gen<JsonObject> ChatCompletion { get; } = Fields(
        ("id", Str("chatcmpl-1")), ("object", Str("chat.completion")), ("model", Str("m")),
        ("choices", ArrayOf(Fields(
            ("index", Number),
            ("message", Fields(("role", Str("assistant")), ("content", Gen.OneOf(TextNode, Gen.Constant<JsonNode?>(null))), ("tool_calls", ArrayOf(ToolCall, 3)), ("reasoning_content", TextNode), ("refusal", TextNode)).AsNode()),
            ("finish_reason", Str("stop", "length", "tool_calls", "content_filter", "weird"))).AsNode(), 2)),
        ("usage", Usage));

    public static Gen<JsonObject> AnthropicMessage { get; } = Fields(
        ("id", Str("msg_1")), ("type", Str("message")), ("role", Str("assistant")), ("model", Str("m")),
        ("content", ArrayOf(AnthropicBlock, 4)),
        ("stop_reason", Str("end_turn", "max_tokens", "tool_use", "stop_sequence", "refusal", "pause_turn", "weird")),
        ("stop_sequence", TextNode), ("usage", Usage));

    /// <summary>A Chat completion stream: chunks, maybe the usage chunk, maybe [DONE], maybe garbage in between.</summary>
    public static Gen<byte[]> ChatStream { get; } = Events(Gen.Frequency(
        (8, Fields(
            ("id", Str("chatcmpl-1")), ("object", Str("chat.completion.chunk")),
            ("choices", ArrayOf(Fields(
                ("index", Number),
                ("delta", Fields(("role", Str("assistant")), ("content", TextNode), ("reasoning_content", TextNode), ("tool_calls", ArrayOf(ToolCall, 2))).AsNode()),
                ("finish_reason", Str("stop", "length", "tool_calls", "weird"))).AsNode(), 2)),
            ("usage", Usage)).Select(chunk => Frame(null, chunk.ToJsonString()))),
        (1, Gen.Elements(Frame(null, "[DONE]"), Frame(null, "{not json"), Frame("error", """{"error":{"message":"overloaded"}}"""), ": keep-alive\n\n", Frame(null, "")))));

    /// <summary>An Anthropic Messages stream: events of every type in any order, some malformed.</summary>
    public static Gen<byte[]> AnthropicStream { get; } = Events(Gen.Frequency(
        (8, Gen.Zip(
            Gen.Elements("message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping", "error", "unknown_event"),
            Fields(
                ("type", Str("message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop")),
                ("index", Gen.Elements<JsonNode?>(0, 1, 2, -1, 99)),
                ("message", Fields(("id", Str("msg_1")), ("usage", Usage), ("content", ArrayOf(AnthropicBlock, 1))).AsNode()),
                ("content_block", AnthropicBlock),
                ("delta", Fields(("type", Str("text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta", "odd_delta")), ("text", TextNode), ("partial_json", Str("{\"city\":", "\"Paris\"}", "]")), ("thinking", TextNode), ("stop_reason", Str("end_turn", "tool_use", "max_tokens"))).AsNode()),
                ("usage", Usage),
                ("error", Gen.Constant(JsonNode.Parse("""{"type":"overloaded_error","message":"Overloaded"}"""))))).Select(e => Frame(e.Item1, e.Item2.ToJsonString()))),
        (1, Gen.Elements(Frame("content_block_delta", "{not json"), Frame(null, "[DONE]"), ": comment\n\n"))));

    private static Gen<byte[]> Events(Gen<string> frame) =>
        Gen.Choose(0, 25).SelectMany(count => frame.ListOf(count)).Select(frames => Encoding.UTF8.GetBytes(string.Concat(frames)));

    private static string Frame(string? name, string data) => (name is null ? "" : $"event: {name}\n") + $"data: {data}\n\n";
}
