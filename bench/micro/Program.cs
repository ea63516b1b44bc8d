using System.Buffers;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Keyway.Protocols;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;

// The CPU time of the per-call protocol work of the cross scenario, on the benchmark's own fixtures: the canned Chat
// stream (bench/upstream/openai-stream.sse) and the Anthropic request bench/wrk/anthropic.lua sends; and of Codex
// against a Chat upstream (a Responses request, the same stream translated into Responses events). The end-to-end
// benchmark moves with the machine by tens of percent between minutes; this times one piece at a time, best of many
// rounds, so a change to a translator can be judged here first. Usage: dotnet run -c Release --project bench/micro
const int Rounds = 25;
const int CallsPerRound = 2_000;

var benchDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));
var chatStream = File.ReadAllBytes(Path.Combine(benchDir, "upstream/openai-stream.sse"));
var chatCompletion = File.ReadAllBytes(Path.Combine(benchDir, "upstream/openai-chat.json"));
// A thinking model (DeepSeek's reasoner, GLM, Qwen) streams the same chunks with reasoning_content before the answer.
var reasoningStream = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(chatStream)
    .Replace("\"content\":", "\"content\":null,\"reasoning_content\":", StringComparison.Ordinal));
var anthropicRequest = """{"model":"bench-model","max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}],"stream":true}"""u8.ToArray();
var context = new TranslationContext("msg_bench", 1735689600, "bench-model", "gpt-4o-mini");
var translatedRequest = AnthropicRequestToChat.Translate(anthropicRequest, context);
// Codex against a Chat upstream (DeepSeek, GLM, Qwen): a Responses request, its answer translated back into Responses events.
var responsesRequest = """{"model":"bench-model","instructions":"Be brief.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Say hello in one short sentence."}]}],"stream":true,"store":false}"""u8.ToArray();
var translatedResponsesRequest = ResponsesRequestToChat.Translate(responsesRequest, context);
var output = new ArrayBufferWriter<byte>(16 * 1024);
// A request the size Claude Code sends (a long system prompt, ~16 tools with long descriptions, some history): what
// the translation costs before the upstream is even asked grows with it.
var largeAnthropicRequest = LargeAnthropicRequest();

(string What, Action Call)[] pieces =
[
    ("split the Chat stream into events", Split),
    ("split and observe it (usage, finish reason)", Observe),
    ("split and translate it into Anthropic events", () => TranslateStream(new ChatStreamToAnthropic(translatedRequest, context), chatStream)),
    ("split and translate it as reasoning_content (a thinking model)", () => TranslateStream(new ChatStreamToAnthropic(translatedRequest, context), reasoningStream)),
    ("translate the Anthropic request into Chat", () => AnthropicRequestToChat.Translate(anthropicRequest, context).Dispose()),
    ("translate the whole Chat completion into an Anthropic message", () => ChatResponseToAnthropic.Translate(chatCompletion, translatedRequest, context)),
    ("split and translate it into Responses events (Codex)", () => TranslateStream(new ChatStreamToResponses(translatedResponsesRequest, context), chatStream)),
    ("split and translate it as reasoning_content into Responses events", () => TranslateStream(new ChatStreamToResponses(translatedResponsesRequest, context), reasoningStream)),
    ("translate the Responses request into Chat", () => ResponsesRequestToChat.Translate(responsesRequest, context).Dispose()),
    ($"scan a Claude Code-sized request ({largeAnthropicRequest.Length / 1024} KB) and splice its model in (passed through)", () => RequestBody.Edit(largeAnthropicRequest, RequestBody.Parse(largeAnthropicRequest), "upstream-model", injectIncludeUsage: false)),
    ($"translate a Claude Code-sized Anthropic request ({largeAnthropicRequest.Length / 1024} KB) into Chat", () => AnthropicRequestToChat.Translate(largeAnthropicRequest, context).Dispose()),
];

// Every piece runs once unreported first, so each one that is reported runs fully optimized (tier 1 with PGO).
foreach (var (_, call) in pieces)
{
    Time(call);
}
Console.WriteLine($"µs per call (best of {Rounds} rounds of {CallsPerRound:N0}) and bytes allocated per call (Chat stream fixture: {chatStream.Length:N0} bytes)");
foreach (var (what, call) in pieces)
{
    Console.WriteLine($"{Time(call),8:F2} {AllocatedBytes(call),8:N0}  {what}");
}

void Split()
{
    using var splitter = Splitter();
    while (splitter.TryReadEvent(out _))
    {
    }
}

void Observe()
{
    var observer = new ChatStreamObserver();
    using var splitter = Splitter();
    while (splitter.TryReadEvent(out var sseEvent))
    {
        observer.Observe(sseEvent);
    }
}

void TranslateStream(IStreamTranslator translator, byte[] stream)
{
    using var splitter = Splitter(stream);
    while (splitter.TryReadEvent(out var sseEvent))
    {
        translator.OnEvent(sseEvent, output);
    }
    translator.Complete(output);
    output.ResetWrittenCount();
}

SseEventSplitter Splitter(byte[]? stream = null)
{
    var splitter = new SseEventSplitter();
    splitter.Append(stream ?? chatStream);
    splitter.Complete();
    return splitter;
}

// Garbage is CPU time too: the collections it causes run on the threads that serve requests.
static long AllocatedBytes(Action call)
{
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < CallsPerRound; i++)
    {
        call();
    }
    return (GC.GetAllocatedBytesForCurrentThread() - before) / CallsPerRound;
}

static double Time(Action call)
{
    var best = double.MaxValue;
    for (var round = 0; round < Rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < CallsPerRound; i++)
        {
            call();
        }
        best = Math.Min(best, clock.Elapsed.TotalMicroseconds / CallsPerRound);
    }
    return best;
}

static byte[] LargeAnthropicRequest()
{
    var prose = string.Concat(Enumerable.Repeat("When the user asks for a change, read the files first and keep the style of the code around it. ", 40));
    var tools = new JsonArray();
    for (var i = 0; i < 16; i++)
    {
        var properties = new JsonObject();
        for (var p = 0; p < 8; p++)
        {
            properties[$"option_{p}"] = new JsonObject { ["type"] = "string", ["description"] = prose[..150] };
        }
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = new JsonArray("option_0") };
        tools.Add(new JsonObject { ["name"] = $"tool_{i}", ["description"] = prose[..2400], ["input_schema"] = schema });
    }
    var messages = new JsonArray();
    for (var i = 0; i < 6; i++)
    {
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = prose[..1500] });
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = prose[..800] });
    }
    messages.Add(new JsonObject { ["role"] = "user", ["content"] = "Say hello in one short sentence." });
    var system = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prose + prose + prose });
    var request = new JsonObject { ["model"] = "bench-model", ["max_tokens"] = 32000, ["system"] = system, ["messages"] = messages, ["tools"] = tools, ["stream"] = true };
    return System.Text.Encoding.UTF8.GetBytes(request.ToJsonString());
}
