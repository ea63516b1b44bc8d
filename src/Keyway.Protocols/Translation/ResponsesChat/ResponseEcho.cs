using System.Buffers;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The request fields a response object repeats (https://platform.openai.com/docs/api-reference/responses/object:
/// instructions, metadata, tools, tool_choice, sampling, reasoning, text, truncation, user…), copied byte for byte from
/// the client's request without its line breaks (an SSE <c>data:</c> line holds the whole object), so a client reads back what it sent (the OpenAI SDKs type most of them as always present).
/// Only fields the client sent are written; <c>store</c> and <c>previous_response_id</c> come from
/// <see cref="TranslationContext.Storage"/>, as the gateway decides them.
/// </summary>
public sealed class ResponseEcho
{
    private static readonly string[] Fields =
    [
        "instructions", "max_output_tokens", "metadata", "parallel_tool_calls", "prompt_cache_key", "reasoning",
        "safety_identifier", "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user",
    ];

    private readonly List<(string Name, byte[] Value)> _members = [];

    /// <summary>Each value written once, compact, as every response object of a stream repeats it.</summary>
    public static ResponseEcho Read(JsonElement request)
    {
        var echo = new ResponseEcho();
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions);
        foreach (var name in Fields)
        {
            if (request.TryGetProperty(name, out var value))
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                value.WriteTo(writer);
                writer.Flush();
                echo._members.Add((name, buffer.WrittenSpan.ToArray()));
            }
        }

        return echo;
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        foreach (var (name, value) in _members)
        {
            writer.WritePropertyName(name);
            // Written by a JSON writer in Read.
            writer.WriteRawValue(value, skipInputValidation: true);
        }
    }
}
