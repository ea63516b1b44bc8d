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
                return root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
                    ? string.Concat(content.EnumerateArray()
                        .Where(b => b.TryGetProperty("type", out var t) && t.ValueEquals("text"))
                        .Select(b => b.GetProperty("text").GetString()))
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
}
