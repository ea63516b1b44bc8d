using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Rules real Chat servers enforce on what a translator writes, each refused with the server's own message: OpenAI's
/// 64-character limit on <c>user</c> (https://platform.openai.com/docs/api-reference/chat/create#chat-create-user, the
/// same as on <c>safety_identifier</c>), and Qwen's chat template, which admits a system message only first
/// (https://huggingface.co/Qwen/Qwen3.5-27B/blob/main/chat_template.jinja; served by vLLM, SGLang, llama.cpp, DashScope).
/// The fake plays Qwen for a model named <c>qwen…</c>.
/// </summary>
internal static class FakeStrictChat
{
    private const int MaxUserLength = 64;

    /// <summary>The error body for the first rule <paramref name="body"/> breaks on <paramref name="model"/>; null when it keeps them all.</summary>
    public static JsonObject? Refusal(string model, JsonElement body)
    {
        if (FakeJson.String(body, "user") is { Length: > MaxUserLength } user)
        {
            return Error(
                $"Invalid 'user': string too long. Expected a string with maximum length {MaxUserLength}, but got a string with length {user.Length} instead.",
                "user", "string_above_max_length");
        }
        if (model.StartsWith("qwen", StringComparison.Ordinal) && FakeJson.Array(body, "messages").Skip(1).Any(IsSystem))
        {
            return Error("System message must be at the beginning.", null, null);
        }
        return null;
    }

    private static bool IsSystem(JsonElement message) => FakeJson.String(message, "role") is "system" or "developer";

    private static JsonObject Error(string message, string? param, string? code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code },
    };
}
