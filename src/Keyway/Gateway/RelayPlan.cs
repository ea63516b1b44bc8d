namespace Keyway.Gateway;

/// <summary>Where a non-streamed answer's usage is found.</summary>
internal enum UsageFormat
{
    None,
    ChatCompletion,
    AnthropicMessage,
}

/// <summary>
/// What to send upstream and how to bring the answer back.
/// <paramref name="Watcher"/> reads a streamed answer; <paramref name="RelayAsIs"/> relays any answer,
/// errors included, untouched (generation endpoints); <paramref name="Decorate"/> adds headers.
/// </summary>
internal sealed record RelayPlan(
    string Path,
    byte[] Body,
    IStreamWatcher? Watcher,
    UsageFormat BodyUsage,
    bool RelayAsIs = false,
    Action<HttpRequestMessage>? Decorate = null);
