using System.Text;
using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// One output item of a translated stream: its accumulated text (reasoning, message text or tool arguments)
/// and, once announced with <c>response.output_item.added</c>, its place in the output.
/// </summary>
internal sealed class StreamedItem
{
    private readonly StringBuilder _text = new();

    /// <summary>The item as announced (text empty); null until announced.</summary>
    public ResponseOutputItem? Announced { get; private set; }

    public int OutputIndex { get; private set; } = -1;

    public string Id => Announced?.Id ?? "";

    public bool IsCustomToolCall => Announced is ToolCallOutputItem { IsCustom: true };

    public string Text => _text.ToString();

    /// <summary>For a reasoning item: the thinking blocks the upstream sent whole, sealed in its <c>encrypted_content</c>.</summary>
    public List<ChatThinkingBlock> ThinkingBlocks { get; } = [];

    /// <summary>For a message whose client asked for log probabilities: the upstream's <c>logprobs.content</c> arrays so far.</summary>
    public List<JsonElement>? Logprobs { get; set; }

    public bool HasText => _text.Length > 0;

    public void Append(string text) => _text.Append(text);

    public void Announce(ResponseOutputItem item, int outputIndex)
    {
        Announced = item;
        OutputIndex = outputIndex;
    }

    /// <summary>
    /// The complete item, as <c>response.output_item.done</c> and the final response carry it; <paramref name="incomplete"/>
    /// when the answer was cut or failed while this item was open.
    /// </summary>
    public ResponseOutputItem Complete(bool incomplete = false) => (Announced switch
    {
        ReasoningOutputItem reasoning => (ResponseOutputItem)(reasoning with { Text = Text, EncryptedContent = ThinkingBlocks.Count > 0 ? KeywayThinking.Seal(ThinkingBlocks) : null }),
        MessageOutputItem message => message with { Text = Text, Logprobs = Logprobs },
        ToolCallOutputItem call => call with { Arguments = Text },
        CompactionOutputItem compaction => compaction,
        _ => throw new InvalidOperationException("Only announced items can be completed."),
    }) with
    { Incomplete = incomplete };
}
