using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// What the request log needs of a Chat stream a translator reads anyway: the usage, whether the stream ended properly
/// (<c>[DONE]</c> or a finish_reason) and an in-stream error, kept as <see cref="OpenAI.ChatStreamObserver"/> keeps them
/// from the chunks the translator has read, so a translated stream is not read a second time for the log (the observer
/// was ~3% of a translated stream's CPU, bench/RESULTS.md).
/// </summary>
public sealed class ChatStreamReport
{
    private const int MaxErrorChars = 1000;

    private bool _sawDone;
    private bool _sawFinishReason;

    public TokenUsage Usage { get; private set; } = TokenUsage.Unknown;

    public bool Completed => _sawDone || _sawFinishReason;

    /// <summary>The message of the in-stream error chunk, or of an answer that broke off (<c>network_error</c>), if one came.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>The vendor's own failure status <see cref="ErrorMessage"/> came from (MiniMax's <c>base_resp</c>), which the key's failure is classed by.</summary>
    public VendorStatusInBody.Failure? VendorFailure { get; private set; }

    internal void Done() => _sawDone = true;

    /// <summary>Takes what the log needs from a chunk the translator read from <paramref name="json"/>.</summary>
    internal void Read(ChatChunk chunk, ReadOnlySpan<byte> json)
    {
        if (chunk.Error is { } error)
        {
            VendorFailure = error.VendorStatus;
            ErrorMessage = error.VendorStatus is not null ? error.Message : UpstreamErrorMessage.Extract(json, MaxErrorChars);
            return;
        }
        if (chunk.Usage is { } usage)
        {
            Usage = Usage.MergedWith(UsageMapping.ToTokenUsage(usage));
        }
        foreach (var choice in chunk.Choices)
        {
            _sawFinishReason |= choice.FinishReason is not null;
            // The translator answers the client with an error: the log must not take the stream for a whole answer.
            if (BrokenOffAnswer.IsFinishReason(choice.FinishReason))
            {
                ErrorMessage ??= BrokenOffAnswer.Message;
            }
        }
    }
}
