namespace Keyway.Protocols;

/// <summary>What a vendor's error says beyond its HTTP status, in its own code or words.</summary>
public enum VendorErrorKind
{
    /// <summary>Nothing any vendor's signal names: the status alone decides.</summary>
    None,

    /// <summary>The prompt is over the model's context window.</summary>
    ContextOverflow,

    /// <summary>A moderation check flagged the caller's input.</summary>
    InputFlagged,

    /// <summary>A rate limit, even when the vendor's words say "quota".</summary>
    RateLimit,

    /// <summary>The account's balance or credit is used up, or it is in arrears, whatever status carries it.</summary>
    Quota,

    /// <summary>The vendor refused the key itself (its own code says so where no 401 does, <see cref="VendorErrorSignals.KindOfStatusInBody"/>).</summary>
    Credential,
}

/// <summary>
/// The one list of vendors' error signals: an error code (matched whole, or as its family's prefix) or words of the
/// message. Vendors send the same failure with different statuses (MiniMax's balance error as a 500, DashScope's arrears
/// as a 400), so the signal, not the status, says what failed. The first signal that matches wins: DashScope's
/// <c>Throttling.AllocationQuota</c> stays a rate limit although its message says "quota". Only an error body's head is
/// read, never a whole echo of a prompt.
/// </summary>
public static class VendorErrorSignals
{
    /// <summary>How much of an error body is read for its signals: codes and messages come first, echoes of the request after.</summary>
    public const int HeadBytes = 4096;

    private enum Match
    {
        Code,
        CodePrefix,
        Words,
    }

    /// <summary>One signal; <see cref="InBody"/> is what a raw body holds when it carries it (a code as a JSON string).</summary>
    private sealed record Signal(VendorErrorKind Kind, Match Match, string Text)
    {
        public string InBody { get; } = Match switch
        {
            Match.Code => $"\"{Text}\"",
            Match.CodePrefix => $"\"{Text}",
            _ => Text,
        };
    }

    private static readonly Signal[] Signals =
    [
        // OpenAI: https://platform.openai.com/docs/guides/error-codes
        new(VendorErrorKind.ContextOverflow, Match.Code, ProtocolErrors.ContextLengthExceeded),
        // Anthropic: "prompt is too long: N tokens > M maximum" (https://docs.anthropic.com/en/api/errors)
        new(VendorErrorKind.ContextOverflow, Match.Words, ProtocolErrors.PromptTooLong),
        // GLM: 1261 "Prompt 超长" (https://docs.z.ai/api-reference/api-code)
        new(VendorErrorKind.ContextOverflow, Match.Code, "1261"),
        new(VendorErrorKind.ContextOverflow, Match.Words, "Prompt 超长"),
        // DeepSeek (and OpenAI's wording): "This model's maximum context length is 131072 tokens" (musistudio/claude-code-router#895)
        new(VendorErrorKind.ContextOverflow, Match.Words, "maximum context length"),
        // Kimi: "Your request exceeded model token limit" (https://platform.moonshot.ai/docs/api/chat)
        new(VendorErrorKind.ContextOverflow, Match.Words, "exceeded model token limit"),
        // Qwen: "Range of input length should be [1, …]" (https://help.aliyun.com/zh/model-studio/error-code)
        new(VendorErrorKind.ContextOverflow, Match.Words, "Range of input length"),
        // OpenRouter: 403 "Your chosen model requires moderation and your input was flagged", with metadata.flagged_input
        // (https://openrouter.ai/docs/api/reference/errors-and-debugging)
        new(VendorErrorKind.InputFlagged, Match.Words, "flagged_input"),
        new(VendorErrorKind.InputFlagged, Match.Words, "requires moderation"),
        new(VendorErrorKind.InputFlagged, Match.Words, "input was flagged"),
        // DashScope: Throttling, Throttling.RateQuota, Throttling.AllocationQuota, Throttling.BurstRate are request and
        // token rates (https://help.aliyun.com/zh/model-studio/error-code)
        new(VendorErrorKind.RateLimit, Match.CodePrefix, "Throttling"),
        // GLM: 1113 "余额不足或无可用资源包,请充值。" (https://docs.z.ai/api-reference/api-code)
        new(VendorErrorKind.Quota, Match.Code, "1113"),
        // MiniMax: 1008 insufficient balance (https://platform.minimax.io/docs/api-reference/errorcode)
        new(VendorErrorKind.Quota, Match.Code, "1008"),
        // Volcengine Ark: SetLimitExceeded (the account's own spend limit paused the model), AccountOverdueError
        // (https://www.volcengine.com/docs/82379/1299023)
        new(VendorErrorKind.Quota, Match.Code, "SetLimitExceeded"),
        new(VendorErrorKind.Quota, Match.Code, "AccountOverdueError"),
        // DashScope: Arrearage "Access denied, please make sure your account is in good standing" (https://help.aliyun.com/zh/model-studio/error-code)
        new(VendorErrorKind.Quota, Match.Code, "Arrearage"),
        // MiniMax "insufficient balance (1008)", DeepSeek's 402 "Insufficient Balance" (https://api-docs.deepseek.com/quick_start/error_codes)
        new(VendorErrorKind.Quota, Match.Words, "insufficient balance"),
        // Chinese vendors' own words: 余额 (balance, as in GLM's 余额不足) and 欠费 (in arrears, DashScope's and Ark's consoles)
        new(VendorErrorKind.Quota, Match.Words, "余额"),
        new(VendorErrorKind.Quota, Match.Words, "欠费"),
    ];

    /// <summary>
    /// The kind an error body's head names: a code as the JSON string the body carries it in (<c>"code":"1113"</c>, also
    /// in <c>type</c>, where DashScope repeats it), or words anywhere in it.
    /// </summary>
    public static VendorErrorKind KindOf(string bodyHead) => First(signal =>
        bodyHead.Contains(signal.InBody, signal.Match == Match.Words ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    /// <summary>
    /// The kind MiniMax's own status code in a 200's <c>base_resp</c> names (<see cref="VendorStatusInBody"/>), from its
    /// table (https://platform.minimax.io/docs/api-reference/errorcode): 1002 "rate limit", 1004 "not authorized / token
    /// not match group", 1008 "insufficient balance", and 2049 "invalid api key"
    /// (https://github.com/MiniMax-AI/MiniMax-01/issues/37); any other code (1000 unknown error, 1001 request timeout,
    /// 1024 internal error, …) names nothing, and the failure is a plain upstream error. Only for that member: as a JSON
    /// string in another vendor's error body, "1002" means something else (GLM's refused token).
    /// </summary>
    public static VendorErrorKind KindOfStatusInBody(long statusCode) => statusCode switch
    {
        1002 => VendorErrorKind.RateLimit,
        1004 or 2049 => VendorErrorKind.Credential,
        1008 => VendorErrorKind.Quota,
        _ => VendorErrorKind.None,
    };

    /// <summary>The kind an error already read names: by its code, or by its message's words.</summary>
    public static VendorErrorKind KindOf(string? code, string? message) => First(signal => signal.Match switch
    {
        Match.Code => code == signal.Text,
        Match.CodePrefix => code is not null && code.StartsWith(signal.Text, StringComparison.Ordinal),
        _ => message is not null && message.Contains(signal.Text, StringComparison.OrdinalIgnoreCase),
    });

    private static VendorErrorKind First(Func<Signal, bool> matches)
    {
        foreach (var signal in Signals)
        {
            if (matches(signal))
            {
                return signal.Kind;
            }
        }
        return VendorErrorKind.None;
    }
}
