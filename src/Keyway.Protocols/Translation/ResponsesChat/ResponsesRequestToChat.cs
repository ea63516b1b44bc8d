using System.Buffers;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Translates an OpenAI Responses request (https://platform.openai.com/docs/api-reference/responses/create) into a
/// Chat Completions request (https://platform.openai.com/docs/api-reference/chat/create). The README next to this
/// file lists every field that is mapped and every field dropped on purpose.
/// </summary>
public static class ResponsesRequestToChat
{
    public static TranslatedRequest Translate(ReadOnlyMemory<byte> responsesRequest, TranslationContext ctx)
    {
        using var document = ResponsesJson.ParseObject(responsesRequest, "The Responses request");
        var root = document.RootElement;
        RejectServerState(root);

        var stream = root.Boolean("stream") ?? false;
        var toolNames = new ToolNameMap();
        bool compaction;
        var logprobs = false;
        using var buffer = new PooledBufferWriter(responsesRequest.Length + TranslatedRequest.SizeSlack);
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", ctx.UpstreamModel);
            writer.WritePropertyName("messages");
            compaction = ResponsesInputToMessages.Write(root, writer, ctx);
            // A summary is asked for in plain text: no tool to call, no structured output.
            var hasTools = !compaction && ResponsesToolsToChat.Write(root, toolNames, writer);
            WriteGenerationSettings(root, writer, ctx, hasTools, structuredOutput: !compaction);
            logprobs = !compaction && WriteLogprobs(root, writer);
            writer.WriteBoolean("stream", stream);
            if (stream)
            {
                // Without include_usage chat upstreams send no usage in a stream, and response.completed needs it.
                writer.WriteStartObject("stream_options");
                writer.WriteBoolean("include_usage", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return new TranslatedRequest(buffer.Detach(), stream, toolNames) { Compaction = compaction, Logprobs = logprobs, ResponseEcho = ResponseEcho.Read(root) };
    }

    /// <summary>
    /// A chat upstream keeps no conversation: the gateway puts a stored conversation before the input and leaves
    /// <c>previous_response_id</c> out (<see cref="ResponsesConversation.Continued"/>). One that still reaches the
    /// translator was not Keyway's to resolve (a route whose first target stores responses itself), and is refused
    /// rather than answered without its history.
    /// </summary>
    private static void RejectServerState(JsonElement root)
    {
        if (root.String("previous_response_id") is { Length: > 0 })
        {
            throw new TranslationException("previous_response_id is not supported: send the full input (store:false)");
        }
    }

    private static void WriteGenerationSettings(JsonElement root, Utf8JsonWriter writer, TranslationContext ctx, bool hasTools, bool structuredOutput)
    {
        if (hasTools)
        {
            // OpenAI rejects parallel_tool_calls on a request without tools.
            root.CopyProperty("parallel_tool_calls", writer);
        }

        if (root.TryGetProperty("max_output_tokens", out var limit) && limit.ValueKind != JsonValueKind.Null
            && !(limit.ValueKind == JsonValueKind.Number && limit.TryGetInt32(out var tokens) && tokens > 0))
        {
            throw new TranslationException("max_output_tokens must be a positive integer.");
        }
        // See TranslationContext.ChatMaxCompletionTokens and ChatFixedSampling: OpenAI's reasoning models refuse max_tokens,
        // temperature and top_p; compatible vendors document max_tokens.
        root.CopyProperty("max_output_tokens", writer, ctx.ChatMaxCompletionTokens ? "max_completion_tokens" : "max_tokens");
        if (!ctx.ChatFixedSampling)
        {
            root.CopyProperty("temperature", writer);
            root.CopyProperty("top_p", writer);
        }
        root.CopyProperty("user", writer);
        root.CopyProperty("safety_identifier", writer);
        root.CopyProperty("prompt_cache_key", writer);
        root.CopyProperty("service_tier", writer);
        if (root.TryGet("reasoning", JsonValueKind.Object, out var reasoning))
        {
            reasoning.CopyProperty("effort", writer, "reasoning_effort");
        }
        if (ctx.ChatReasoningSplit)
        {
            writer.WriteBoolean(AnthropicChat.ReasoningDetails.SplitMember, root.Boolean(AnthropicChat.ReasoningDetails.SplitMember) ?? true);
        }

        if (root.TryGet("text", JsonValueKind.Object, out var text))
        {
            text.CopyProperty("verbosity", writer);
            if (structuredOutput)
            {
                WriteResponseFormat(text, writer);
            }
        }
    }

    /// <summary>
    /// Token log probabilities are asked for with <c>include: ["message.output_text.logprobs"]</c> or a
    /// <c>top_logprobs</c> above 0 (https://platform.openai.com/docs/api-reference/responses/create#responses-create-top_logprobs);
    /// Chat asks with <c>logprobs: true</c> and the same <c>top_logprobs</c>
    /// (https://platform.openai.com/docs/api-reference/chat/create#chat-create-logprobs). On the way to an Anthropic
    /// upstream the Chat request is refused there (400), as a Chat client's would be. True when asked.
    /// </summary>
    private static bool WriteLogprobs(JsonElement root, Utf8JsonWriter writer)
    {
        var top = root.TryGet("top_logprobs", JsonValueKind.Number, out var topLogprobs) && topLogprobs.TryGetInt32(out var count) ? count : 0;
        if (top <= 0 && !Includes(root, "message.output_text.logprobs"))
        {
            return false;
        }

        writer.WriteBoolean("logprobs", true);
        if (top > 0)
        {
            writer.WriteNumber("top_logprobs", top);
        }

        return true;
    }

    private static bool Includes(JsonElement root, string value)
    {
        if (root.TryGet("include", JsonValueKind.Array, out var include))
        {
            foreach (var entry in include.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.String && entry.ValueEquals(value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Responses puts the structured-output schema flat in <c>text.format</c>; Chat nests it under
    /// <c>response_format.json_schema</c> (https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format).
    /// </summary>
    private static void WriteResponseFormat(JsonElement text, Utf8JsonWriter writer)
    {
        if (!text.TryGet("format", JsonValueKind.Object, out var format))
        {
            return;
        }

        switch (format.String("type"))
        {
            case "json_object":
                writer.WriteStartObject("response_format");
                writer.WriteString("type", "json_object");
                writer.WriteEndObject();
                break;
            case "json_schema":
                writer.WriteStartObject("response_format");
                writer.WriteString("type", "json_schema");
                writer.WriteStartObject("json_schema");
                format.CopyProperty("name", writer);
                format.CopyProperty("description", writer);
                format.CopyProperty("schema", writer);
                format.CopyProperty("strict", writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
        }
    }
}
