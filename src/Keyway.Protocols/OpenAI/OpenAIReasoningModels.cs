namespace Keyway.Protocols.OpenAI;

/// <summary>
/// Tells OpenAI's reasoning models by the name a route calls them by, as LiteLLM and the OpenAI SDKs' users do: the
/// o-series (<c>o1</c>, <c>o3</c>, <c>o3-mini</c>, <c>o3-pro</c>, <c>o4-mini</c>, dated snapshots such as
/// <c>o4-mini-2025-04-16</c>) and GPT-5 onwards (<c>gpt-5</c>, <c>gpt-5-mini</c>, <c>gpt-5.1</c>, <c>gpt-6</c>…),
/// also as the base of a fine-tune (<c>ft:o4-mini-…</c>), in any case (an Azure deployment may be named
/// <c>GPT-5-mini</c>). On Chat Completions these models refuse <c>max_tokens</c> ("Unsupported parameter: 'max_tokens'
/// is not supported with this model. Use 'max_completion_tokens' instead."), a <c>temperature</c> other than 1,
/// <c>top_p</c> and <c>stop</c> (https://platform.openai.com/docs/guides/reasoning). A name with a vendor prefix
/// (<c>openai/o3</c>) is a router's (OpenRouter), which takes <c>max_tokens</c> and maps the parameters itself.
/// A few character comparisons, no regex: it runs once per translated request.
/// </summary>
public static class OpenAIReasoningModels
{
    private const string FineTunePrefix = "ft:";
    private const string GptPrefix = "gpt-";
    private const int FirstReasoningGpt = 5;

    public static bool Matches(string upstreamModel)
    {
        var name = upstreamModel.AsSpan();
        if (name.StartsWith(FineTunePrefix, StringComparison.Ordinal))
        {
            name = name[FineTunePrefix.Length..];
        }
        if (name.Length > 1 && char.ToLowerInvariant(name[0]) == 'o')
        {
            // o1, o3, o4-mini: "o", a version, then the end or a '-' (not "omni-…", not "o3x").
            var digits = Digits(name[1..]);
            return digits > 0 && (name.Length == 1 + digits || name[1 + digits] == '-');
        }
        if (name.StartsWith(GptPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // gpt-5, gpt-5.1, gpt-5-mini, gpt-6: a major version of 5 or more (not gpt-4o, gpt-oss-120b, gpt-3.5-turbo).
            var version = name[GptPrefix.Length..];
            var digits = Digits(version);
            return digits is > 0 and < 3
                && int.Parse(version[..digits], provider: System.Globalization.CultureInfo.InvariantCulture) >= FirstReasoningGpt
                && (version.Length == digits || version[digits] is '-' or '.');
        }
        return false;
    }

    private static int Digits(ReadOnlySpan<char> text)
    {
        var count = 0;
        while (count < text.Length && char.IsAsciiDigit(text[count]))
        {
            count++;
        }
        return count;
    }
}
