using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Usage;

/// <summary>Reads a <c>usage</c> object; the reader stands on its StartObject and ends on its EndObject.</summary>
internal static class UsageJson
{
    /// <summary>
    /// OpenAI Chat Completions usage (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage):
    /// prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens (or DeepSeek's prompt_cache_hit_tokens,
    /// <see cref="ChatCachedTokens"/>), completion_tokens_details.reasoning_tokens.
    /// </summary>
    public static TokenUsage ReadOpenAI(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cached = null, cacheHits = null, reasoning = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                input = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                output = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                cached = ReadNestedCount(ref reader, "cached_tokens"u8) ?? cached;
            }
            else if (reader.ValueTextEquals("prompt_cache_hit_tokens"u8))
            {
                cacheHits = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reasoning = ReadNestedCount(ref reader, "reasoning_tokens"u8) ?? reasoning;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, output, ChatCachedTokens.Of(cached, cacheHits), null, reasoning);
    }

    /// <summary>
    /// Anthropic Messages usage (https://docs.anthropic.com/en/api/messages#response-usage): input_tokens,
    /// output_tokens, cache_read_input_tokens, cache_creation_input_tokens. Anthropic reports no reasoning count.
    /// </summary>
    public static TokenUsage ReadAnthropic(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cacheRead = null, cacheWrite = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                cacheRead = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                cacheWrite = JsonReading.ReadInt64OrNull(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, output, cacheRead, cacheWrite, null);
    }

    /// <summary>
    /// OpenAI Responses usage (https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage):
    /// input_tokens, output_tokens, input_tokens_details.cached_tokens, output_tokens_details.reasoning_tokens.
    /// </summary>
    public static TokenUsage ReadResponses(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cached = null, reasoning = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = JsonReading.ReadInt64OrNull(ref reader);
            }
            else if (reader.ValueTextEquals("input_tokens_details"u8))
            {
                cached = ReadNestedCount(ref reader, "cached_tokens"u8) ?? cached;
            }
            else if (reader.ValueTextEquals("output_tokens_details"u8))
            {
                reasoning = ReadNestedCount(ref reader, "reasoning_tokens"u8) ?? reasoning;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, output, cached, null, reasoning);
    }

    private static long? ReadNestedCount(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!JsonReading.ReadStartObject(ref reader))
        {
            return null;
        }

        long? count = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(name))
            {
                count = JsonReading.ReadInt64OrNull(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return count;
    }
}
