using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A choice's <c>logprobs</c> (https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices), only
/// when the request asked with <c>logprobs: true</c>: one token per text piece, with <c>top_logprobs</c> alternatives.
/// </summary>
internal static class FakeLogprobs
{
    public static JsonObject? For(JsonElement body, IEnumerable<string> tokens)
    {
        if (!FakeJson.IsTrue(body, "logprobs"))
        {
            return null;
        }
        var top = FakeJson.Property(body, "top_logprobs") is { ValueKind: JsonValueKind.Number } count ? count.GetInt32() : 0;
        return new JsonObject
        {
            ["content"] = new JsonArray([.. tokens.Select(token =>
            {
                var entry = Token(token, -0.25);
                entry["top_logprobs"] = new JsonArray([.. Enumerable.Range(0, top).Select(rank => (JsonNode)Token(token, -0.25 - rank))]);
                return (JsonNode)entry;
            })]),
        };
    }

    private static JsonObject Token(string token, double logprob) => new()
    {
        ["token"] = token,
        ["logprob"] = logprob,
        ["bytes"] = new JsonArray([.. Encoding.UTF8.GetBytes(token).Select(b => (JsonNode)b)]),
    };
}
