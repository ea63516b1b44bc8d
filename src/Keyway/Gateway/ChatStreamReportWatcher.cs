using Keyway.Protocols;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// Watches a translated Chat stream through its translator, which reads every chunk anyway and keeps what the log needs
/// (<see cref="ChatStreamReport"/>): no event is read twice, and every event reaches the translator.
/// </summary>
internal sealed class ChatStreamReportWatcher(ChatStreamReport report) : IStreamWatcher
{
    public bool Observe(in SseEvent sseEvent) => true;

    public TokenUsage Usage => report.Usage;

    public bool Completed => report.Completed;

    public bool EndsAtClose => false;

    public string? ErrorMessage => report.ErrorMessage;

    public VendorStatusInBody.Failure? VendorFailure => report.VendorFailure;
}
