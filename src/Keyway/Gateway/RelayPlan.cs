using Keyway.Protocols.Translation;

namespace Keyway.Gateway;

/// <summary>Where a non-streamed answer's usage is found.</summary>
internal enum UsageFormat
{
    None,
    ChatCompletion,
    AnthropicMessage,
    Response,
}

/// <summary>
/// What to send upstream and how to bring the answer back.
/// <paramref name="Watcher"/> reads a streamed answer in the upstream's protocol; <paramref name="RelayAsIs"/> relays
/// any answer, errors included, untouched (generation endpoints); <paramref name="Decorate"/> adds headers;
/// <paramref name="Translation"/>, when the client speaks another protocol than the upstream, turns the answer
/// (whole or streamed) into the client's.
/// </summary>
internal sealed record RelayPlan(
    string Path,
    byte[] Body,
    IStreamWatcher? Watcher,
    UsageFormat BodyUsage,
    bool RelayAsIs = false,
    Action<HttpRequestMessage>? Decorate = null,
    TranslationPipeline? Translation = null);
