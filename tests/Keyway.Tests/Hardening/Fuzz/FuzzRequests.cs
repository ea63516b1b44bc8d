using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using static Keyway.Tests.Hardening.Fuzz.FuzzJson;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// Request bodies of each client protocol, built from the fields its API reference names (OpenAI Chat Completions
/// <c>POST /v1/chat/completions</c>, Anthropic Messages <c>POST /v1/messages</c>, OpenAI Responses <c>POST /v1/responses</c>),
/// each field valid, wrong-typed or missing; content blocks include types no protocol has.
/// </summary>
internal static class FuzzRequests
{
    private static readonly Gen<JsonNode?> MaxTokens = Gen.Frequency(
        (4, Gen.Choose(1, 64_000).Select(n => (JsonNode?)n)),
        (1, Gen.Elements<JsonNode?>(0, -1, -100_000, 1.5, "100", long.MaxValue, double.MaxValue)));

    private static readonly Gen<JsonNode?> Schema = Gen.Elements<JsonNode?>(
        JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
        JsonNode.Parse("""{"type":"object"}"""));

    private static readonly Gen<JsonNode?> ToolName = Str("get_weather", "", "a.b/c d", new string('n', 100), "tavily_search", "apply_patch");

    public static Gen<JsonObject> Chat { get; } = Fields(
        ("model", Str("gpt-alias", "claude-alias", "", "unknown-model", "gpt-alias[nokey]")),
        ("messages", ArrayOf(ChatMessage(), 5)),
        ("max_tokens", MaxTokens),
        ("max_completion_tokens", MaxTokens),
        ("stream", Gen.Elements<JsonNode?>(true, false)),
        ("stream_options", Gen.Constant(JsonNode.Parse("""{"include_usage":true}"""))),
        ("temperature", Number),
        ("stop", Gen.OneOf(TextNode, ArrayOf(TextNode, 5))),
        ("tools", ArrayOf(ChatTool(), 3)),
        ("tool_choice", Gen.OneOf(Str("auto", "none", "required", "bogus"), ToolName.Select(name => (JsonNode?)new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name?.DeepClone() } }))),
        ("parallel_tool_calls", Gen.Elements<JsonNode?>(true, false)),
        ("reasoning_effort", Str("minimal", "low", "medium", "high", "none", "extreme")),
        ("response_format", Gen.Constant(JsonNode.Parse("""{"type":"json_object"}"""))),
        ("n", Number),
        ("input", Any(2)),
        ("prompt", TextNode));

    public static Gen<JsonObject> Anthropic { get; } = Fields(
        ("model", Str("claude-alias", "gpt-alias", "", "unknown-model")),
        ("max_tokens", MaxTokens),
        ("messages", ArrayOf(AnthropicMessage(), 5)),
        ("system", Gen.OneOf(TextNode, ArrayOf(AnthropicBlock(), 3))),
        ("stream", Gen.Elements<JsonNode?>(true, false)),
        ("tools", ArrayOf(Fields(("name", ToolName), ("description", TextNode), ("input_schema", Schema), ("type", Str("custom", "web_search_20250305", "bash_20250124", "unknown_tool"))).AsNode(), 3)),
        ("tool_choice", Fields(("type", Str("auto", "any", "tool", "none", "weird")), ("name", ToolName), ("disable_parallel_tool_use", Gen.Elements<JsonNode?>(true, false))).AsNode()),
        ("thinking", Fields(("type", Str("enabled", "disabled", "adaptive")), ("budget_tokens", MaxTokens)).AsNode()),
        ("stop_sequences", ArrayOf(TextNode, 3)),
        ("temperature", Number),
        ("top_k", Number),
        ("metadata", Gen.Constant(JsonNode.Parse("""{"user_id":"u_session_1"}"""))));

    public static Gen<JsonObject> Responses { get; } = Fields(
        ("model", Str("gpt-alias", "claude-alias", "", "unknown-model")),
        ("input", Gen.OneOf(TextNode, ArrayOf(ResponsesItem(), 5))),
        ("instructions", TextNode),
        ("stream", Gen.Elements<JsonNode?>(true, false)),
        ("max_output_tokens", MaxTokens),
        ("tools", ArrayOf(Fields(("type", Str("function", "custom", "web_search", "local_shell", "namespace", "mystery")), ("name", ToolName), ("parameters", Schema), ("format", Gen.Constant(JsonNode.Parse("""{"type":"grammar","syntax":"lark","definition":"start: /.+/"}""")))).AsNode(), 3)),
        ("tool_choice", Str("auto", "none", "required", "bogus")),
        ("parallel_tool_calls", Gen.Elements<JsonNode?>(true, false)),
        ("reasoning", Fields(("effort", Str("low", "medium", "high", "xhigh")), ("summary", Str("auto", "detailed"))).AsNode()),
        ("store", Gen.Elements<JsonNode?>(true, false)),
        ("previous_response_id", Str("resp_1")),
        ("include", Gen.Constant(JsonNode.Parse("""["reasoning.encrypted_content"]"""))),
        ("text", Gen.Constant(JsonNode.Parse("""{"format":{"type":"text"}}"""))),
        ("prompt_cache_key", TextNode));

    private static Gen<JsonNode?> ChatMessage() => Fields(
        ("role", Str("system", "developer", "user", "assistant", "tool", "function", "robot")),
        ("content", Gen.OneOf(TextNode, ArrayOf(ChatPart(), 3), Gen.Constant<JsonNode?>(null))),
        ("tool_calls", ArrayOf(Fields(("id", Str("call_1", "")), ("type", Str("function", "custom")), ("function", Fields(("name", ToolName), ("arguments", Str("{}", "{\"city\":\"Paris\"}", "not json", ""))).AsNode())).AsNode(), 2)),
        ("tool_call_id", Str("call_1", "")),
        ("reasoning_content", TextNode),
        ("name", TextNode)).AsNode();

    private static Gen<JsonNode?> ChatPart() => Fields(
        ("type", Str("text", "image_url", "input_audio", "file", "refusal", "hologram")),
        ("text", TextNode),
        ("image_url", Gen.Constant(JsonNode.Parse("""{"url":"data:image/png;base64,iVBORw0KGgo="}""")))).AsNode();

    private static Gen<JsonNode?> ChatTool() => Fields(
        ("type", Str("function", "custom", "web_search", "x")),
        ("function", Fields(("name", ToolName), ("description", TextNode), ("parameters", Schema), ("strict", Gen.Elements<JsonNode?>(true, false))).AsNode())).AsNode();

    private static Gen<JsonNode?> AnthropicMessage() => Fields(
        ("role", Str("user", "assistant", "system", "tool", "")),
        ("content", Gen.OneOf(TextNode, ArrayOf(AnthropicBlock(), 4)))).AsNode();

    private static Gen<JsonNode?> AnthropicBlock() => Fields(
        ("type", Str("text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result", "search_result", "container_upload", "quantum_block")),
        ("text", TextNode),
        ("id", Str("toolu_1", "")),
        ("name", ToolName),
        ("input", Gen.OneOf(Gen.Constant(JsonNode.Parse("""{"city":"Paris"}""")), Any(2))),
        ("tool_use_id", Str("toolu_1", "")),
        ("content", Gen.OneOf(TextNode, ArrayOf(Fields(("type", Str("text", "image")), ("text", TextNode)).AsNode(), 2))),
        ("is_error", Gen.Elements<JsonNode?>(true, false)),
        ("thinking", TextNode),
        ("signature", Str("sig", "")),
        ("data", Str("opaque")),
        ("source", Gen.Constant(JsonNode.Parse("""{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}"""))),
        ("cache_control", Gen.Constant(JsonNode.Parse("""{"type":"ephemeral"}""")))).AsNode();

    private static Gen<JsonNode?> ResponsesItem() => Fields(
        ("type", Str("message", "function_call", "function_call_output", "custom_tool_call", "custom_tool_call_output", "reasoning", "local_shell_call", "web_search_call", "item_reference", "teleport")),
        ("role", Str("user", "assistant", "system", "developer", "critic")),
        ("content", Gen.OneOf(TextNode, ArrayOf(Fields(("type", Str("input_text", "output_text", "input_image", "input_file", "refusal", "summary_text", "smell")), ("text", TextNode), ("image_url", Str("data:image/png;base64,iVBORw0KGgo="))).AsNode(), 3))),
        ("call_id", Str("call_1", "")),
        ("name", ToolName),
        ("arguments", Str("{}", "{\"a\":1}", "nope")),
        ("input", TextNode),
        ("output", Gen.OneOf(TextNode, Any(1))),
        ("summary", ArrayOf(Fields(("type", Str("summary_text")), ("text", TextNode)).AsNode(), 2)),
        ("encrypted_content", Str("gAAAA"))).AsNode();
}
