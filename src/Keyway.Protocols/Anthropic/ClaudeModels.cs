namespace Keyway.Protocols.Anthropic;

/// <summary>How a Claude model takes thinking (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking).</summary>
public enum ClaudeThinking
{
    /// <summary><c>thinking:{type:"enabled",budget_tokens}</c>: Claude before 4.6, and any model not named as Claude (a compatible vendor's).</summary>
    Budget,

    /// <summary><c>thinking:{type:"adaptive"}</c> with <c>output_config.effort</c> low, medium, high or max: Claude 4.6.</summary>
    Adaptive,

    /// <summary>Adaptive, and the effort may be <c>xhigh</c>: Claude 4.7 onwards and Mythos.</summary>
    AdaptiveXHigh,
}

/// <summary>
/// Tells Claude's generations by the name a route calls them by: <c>claude-opus-4-7</c>, <c>claude-sonnet-4-6-20260217</c>,
/// <c>claude-opus-4.6</c> (OpenRouter), <c>us.anthropic.claude-opus-4-6-v1</c> (Bedrock), <c>claude-opus-4-6@20260205</c>
/// (Vertex), the older <c>claude-3-7-sonnet-latest</c>, and <c>claude-mythos-preview</c>. Claude 4.6 brought adaptive
/// thinking, which "reliably drives better performance than extended thinking with a fixed budget_tokens", and deprecated
/// <c>thinking.type:"enabled"</c>; from Opus 4.7 on, enabled is refused ("\"thinking.type.enabled\" is not supported for
/// this model. Use \"thinking.type.adaptive\" and \"output_config.effort\" to control thinking behavior"), while Claude
/// before 4.6 knows only enabled. A later generation (<c>claude-sonnet-5</c>) is taken to keep adaptive thinking, so a
/// model released later needs no new rule. A name without a Claude version (a custom alias) is a budget model: every
/// Anthropic-compatible vendor knows enabled thinking. A few character comparisons, no regex: it runs once per
/// translated request.
/// </summary>
public static class ClaudeModels
{
    private const string Claude = "claude-";
    private const string Mythos = "mythos";
    private const int AdaptiveSince = 46;
    private const int XHighSince = 47;

    public static ClaudeThinking ThinkingOf(string upstreamModel)
    {
        var at = upstreamModel.IndexOf(Claude, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return ClaudeThinking.Budget;
        }
        var name = upstreamModel.AsSpan(at + Claude.Length);
        if (name.StartsWith(Mythos, StringComparison.OrdinalIgnoreCase))
        {
            return ClaudeThinking.AdaptiveXHigh;
        }
        // The current naming puts the family first (claude-opus-4-6), the older one the version (claude-3-7-sonnet).
        var family = name.IndexOf('-');
        var version = Version(family > 0 && char.IsAsciiLetter(name[0]) ? name[(family + 1)..] : name);
        return version >= XHighSince ? ClaudeThinking.AdaptiveXHigh
            : version >= AdaptiveSince ? ClaudeThinking.Adaptive
            : ClaudeThinking.Budget;
    }

    /// <summary>
    /// "4-6…", "4.6", "4-20250514", "5" as 46, 46, 40, 50: a one-digit major version, then a one-digit minor one when
    /// a separator and a single digit follow (a date is no minor version); 0 when the text does not start with a version.
    /// </summary>
    private static int Version(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !char.IsAsciiDigit(text[0]) || (text.Length > 1 && char.IsAsciiDigit(text[1])))
        {
            return 0;
        }
        var major = (text[0] - '0') * 10;
        var hasMinor = text.Length > 2 && text[1] is '-' or '.' && char.IsAsciiDigit(text[2]) && (text.Length == 3 || !char.IsAsciiDigit(text[3]));
        return hasMinor ? major + (text[2] - '0') : major;
    }
}
