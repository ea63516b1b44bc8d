using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>What a response object says at one moment: its status, output so far, usage and why it stopped.</summary>
internal sealed record ResponseSnapshot(
    string Status,
    IReadOnlyList<ResponseOutputItem> Output,
    ResponsesUsage? Usage,
    string? IncompleteReason = null,
    ResponseError? Error = null)
{
    public static ResponseSnapshot InProgress { get; } = new("in_progress", [], null);

    /// <summary>
    /// A finished answer. Chat's <c>length</c> and <c>content_filter</c> (and the vendors' reasons for them,
    /// <see cref="StopReasons.ToOpenAI"/>) are Responses' "incomplete" with a reason
    /// (https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details).
    /// </summary>
    public static ResponseSnapshot Finished(string? finishReason, IReadOnlyList<ResponseOutputItem> output, ResponsesUsage? usage) =>
        StopReasons.ToOpenAI(finishReason) switch
        {
            "length" => new ResponseSnapshot("incomplete", output, usage, "max_output_tokens"),
            "content_filter" => new ResponseSnapshot("incomplete", output, usage, "content_filter"),
            _ => new ResponseSnapshot("completed", output, usage),
        };

    /// <summary>Whether the upstream stopped the answer before its end: the item it was writing is "incomplete".</summary>
    public static bool IsCut(string? finishReason) => StopReasons.ToOpenAI(finishReason) is "length" or "content_filter";
}

/// <summary>A response's <c>error</c>: Codex reads <c>code</c> (context_length_exceeded, rate_limit_exceeded, …) to decide on retries.</summary>
internal sealed record ResponseError(string Code, string Message);
