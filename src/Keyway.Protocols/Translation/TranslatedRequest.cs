using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation;

/// <summary>
/// A request in the upstream's wire format, plus what the way back needs: whether the client asked
/// for a stream, and how tool names were changed on the way (mapped back in the answer). Its bytes lie in an array
/// rented from the shared pool (a Claude Code-sized translation is 90 KB and more): disposing it gives the array back
/// once no send still reads it, and empties <see cref="Body"/>.
/// </summary>
public sealed record TranslatedRequest(LeasedBytes Bytes, bool Stream, ToolNameMap ToolNames) : IDisposable
{
    public ReadOnlyMemory<byte> Body => Bytes.Memory;

    /// <summary>Bytes a translated request may add to the client's (the buffer it is built in starts that large).</summary>
    public const int SizeSlack = 256;

    /// <summary>A Chat client asked for the usage-only chunk (<c>stream_options.include_usage</c>) at the end of its stream.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>
    /// An Anthropic client's prompt size in tokens, estimated when its request was translated to Chat: what a translated
    /// stream's <c>message_start</c> reports before the upstream's count arrives.
    /// </summary>
    public int PromptTokenEstimate { get; init; }

    /// <summary>
    /// A Responses client asked for server-side compaction (a <c>compaction_trigger</c> item): the request asks the model
    /// for a summary, and the answer is one <c>compaction</c> item carrying it (<see cref="ResponsesChat.KeywayCompaction"/>).
    /// </summary>
    public bool Compaction { get; init; }

    /// <summary>
    /// A Responses client asked for token log probabilities: its <c>output_text</c> parts and text events carry the
    /// upstream's <c>logprobs.content</c> (none: an empty list).
    /// </summary>
    public bool Logprobs { get; init; }

    /// <summary>A Responses client's request fields its response object repeats.</summary>
    public ResponsesChat.ResponseEcho? ResponseEcho { get; init; }

    public void Dispose() => Bytes.Dispose();
}
