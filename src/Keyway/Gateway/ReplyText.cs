using System.Text.Json;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>The assistant's text from a non-streamed chat answer of either protocol ("" when there is none).</summary>
internal static class ReplyText
{
    public static string Extract(byte[] body, UpstreamProtocol protocol)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (protocol == UpstreamProtocol.Anthropic)
            {
                return TextBlocks(root, "content", "text");
            }
            if (protocol == UpstreamProtocol.OpenAIResponses)
            {
                return root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array
                    ? string.Concat(output.EnumerateArray().Select(item => TextBlocks(item, "content", "output_text")))
                    : "";
            }
            return root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("message", out var message) && message.TryGetProperty("content", out var text)
                && text.ValueKind == JsonValueKind.String
                ? text.GetString()!
                : "";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return "";
        }
    }

    /// <summary>The concatenated "text" of the blocks of type <paramref name="blockType"/> in an array property.</summary>
    private static string TextBlocks(JsonElement parent, string arrayName, string blockType) =>
        parent.TryGetProperty(arrayName, out var blocks) && blocks.ValueKind == JsonValueKind.Array
            ? string.Concat(blocks.EnumerateArray()
                .Where(b => b.TryGetProperty("type", out var t) && t.ValueEquals(blockType))
                .Select(b => b.GetProperty("text").GetString()))
            : "";
}
