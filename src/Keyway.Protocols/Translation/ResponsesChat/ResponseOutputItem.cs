using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>One item of a response's <c>output</c> (https://platform.openai.com/docs/api-reference/responses/object#responses/object-output).</summary>
internal abstract record ResponseOutputItem(string Id)
{
    /// <summary>
    /// Status "incomplete" rather than "completed": the answer stopped (output limit, content filter, failure) while
    /// this item was being written (item status: in_progress, completed or incomplete).
    /// </summary>
    public bool Incomplete { get; init; }
}

/// <summary>
/// The upstream's reasoning_content, shown to the client as one reasoning summary part, and Anthropic's signed thinking
/// blocks sealed in <c>encrypted_content</c> (<see cref="KeywayThinking"/>) when there are any.
/// </summary>
internal sealed record ReasoningOutputItem(string Id, string Text, string? EncryptedContent = null) : ResponseOutputItem(Id);

/// <summary>The assistant's text as one output_text part.</summary>
internal sealed record MessageOutputItem(string Id, string Text) : ResponseOutputItem(Id)
{
    /// <summary>
    /// The upstream's <c>logprobs.content</c> arrays, in order, when the client asked for log probabilities (the part's
    /// <c>logprobs</c> is their tokens); null, and no <c>logprobs</c> written, when it did not.
    /// </summary>
    public IReadOnlyList<JsonElement>? Logprobs { get; init; }
}

/// <summary>
/// A tool call: a <c>function_call</c>, or a <c>custom_tool_call</c> whose raw input is unwrapped from the
/// <c>{"input":…}</c> arguments the chat upstream produced for it.
/// </summary>
internal sealed record ToolCallOutputItem(string Id, string CallId, string Name, string Arguments, bool IsCustom) : ResponseOutputItem(Id)
{
    public string CustomInput => CustomToolInput.FromArguments(Arguments);
}

/// <summary>A <c>compaction</c> item (server-side compaction): the summary, opaque to the client (<see cref="KeywayCompaction"/>).</summary>
internal sealed record CompactionOutputItem(string Id, string EncryptedContent) : ResponseOutputItem(Id);
