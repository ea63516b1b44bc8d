using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// OpenAI's reasoning models on Chat Completions refuse what older models take, each with a 400 naming the parameter:
/// <c>max_tokens</c> ("is now deprecated in favor of max_completion_tokens, and is not compatible with o-series models",
/// https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_tokens), a <c>temperature</c> other than
/// 1, <c>top_p</c> and <c>stop</c> (https://platform.openai.com/docs/guides/reasoning). The messages are OpenAI's own.
/// The fake plays these models under their real names.
/// </summary>
internal static class FakeReasoningModels
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal) { "o3", "o4-mini", "gpt-5-mini" };

    /// <summary>OpenAI's error body for the first parameter <paramref name="model"/> refuses in <paramref name="body"/>; null when it takes them all.</summary>
    public static JsonObject? Refusal(string model, JsonElement body)
    {
        if (!Names.Contains(model))
        {
            return null;
        }
        if (FakeJson.Property(body, "max_tokens").ValueKind != JsonValueKind.Undefined)
        {
            return Error("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter");
        }
        if (FakeJson.Property(body, "temperature") is { ValueKind: JsonValueKind.Number } temperature && temperature.GetDouble() != 1)
        {
            var value = temperature.GetDouble().ToString(CultureInfo.InvariantCulture);
            return Error($"Unsupported value: 'temperature' does not support {value} with this model. Only the default (1) value is supported.", "temperature", "unsupported_value");
        }
        foreach (var name in (string[])["top_p", "stop"])
        {
            if (FakeJson.Property(body, name).ValueKind != JsonValueKind.Undefined)
            {
                return Error($"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter");
            }
        }
        return null;
    }

    /// <summary>
    /// On the Responses API the same models refuse <c>temperature</c> and <c>top_p</c> whatever their value: OpenAI's
    /// error body for the first one <paramref name="body"/> has; null when it has neither.
    /// </summary>
    public static JsonObject? ResponsesRefusal(string model, JsonElement body)
    {
        if (!Names.Contains(model))
        {
            return null;
        }
        foreach (var name in (string[])["temperature", "top_p"])
        {
            if (FakeJson.Property(body, name).ValueKind != JsonValueKind.Undefined)
            {
                return Error($"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter");
            }
        }
        return null;
    }

    private static JsonObject Error(string message, string param, string code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code },
    };
}
