using Keyway.Protocols.OpenAI;

namespace Keyway.Upstreams;

/// <summary>
/// One place a provider is called: the protocol spoken there and its base URL. The provider's main endpoint
/// (<c>base_url</c> + <c>protocol</c>) honours a key's own base URL. At a native endpoint a key calls its own base URL
/// for the protocol (its <c>native_endpoints</c>) when it has one, else the provider's (<see cref="BaseUrl"/>, null when
/// only keys' own serve the protocol) — unless the key has its own main base URL: that names a reseller's copy of the
/// main endpoint, and its secret is not the vendor's, so at the vendor's other base URL it would only be refused (and
/// cool down for it) after being shown to a host it was never meant for.
/// </summary>
public sealed record UpstreamEndpoint(UpstreamProtocol Protocol, string? BaseUrl, bool IsMain)
{
    private const string OpenAIPlatform = "https://api.openai.com";
    private const string CerebrasPlatform = "https://api.cerebras.ai";
    private const string MiniMaxPlatform = "https://api.minimax.io";
    private const string MiniMaxChinaPlatform = "https://api.minimaxi.com";

    // The last URL built on this thread. Calls to one route ask for the same URL again and again: parsing it anew for
    // each, and HttpClient then working out its host and path on the fresh Uri, was ~1.7% of the CPU of a proxied call
    // (bench/RESULTS.md). A Uri is immutable and safe to share between requests.
    [ThreadStatic]
    private static BuiltUri? t_last;

    /// <summary>The base URL <paramref name="key"/> calls here; null when the key cannot serve this endpoint (see above).</summary>
    public string? BaseUrlFor(UpstreamKey key) =>
        IsMain ? key.BaseUrl ?? BaseUrl : key.NativeBaseUrl(Protocol) ?? (key.BaseUrl is null ? BaseUrl : null);

    /// <summary>
    /// Keyway's URL convention: OpenAI-protocol base URLs already end in the API version
    /// ("https://api.deepseek.com/v1"), Anthropic-protocol ones do not ("https://api.deepseek.com/anthropic").
    /// </summary>
    public Uri UriFor(string path, UpstreamKey key)
    {
        // Not BaseUrlFor: the pool only ever gives a key that can call here (a key-only endpoint has no BaseUrl to fall back to).
        var baseUrl = (IsMain ? key.BaseUrl : key.NativeBaseUrl(Protocol)) ?? BaseUrl
            ?? throw new InvalidOperationException($"key '{key.Name}' has no base URL for {Protocol.Name()}");
        if (t_last is { } last && string.Equals(last.BaseUrl, baseUrl, StringComparison.Ordinal) && string.Equals(last.Path, path, StringComparison.Ordinal))
        {
            return last.Uri;
        }
        var uri = new Uri(baseUrl.TrimEnd('/') + "/" + path.TrimStart('/'));
        t_last = new BuiltUri(baseUrl, path, uri);
        return uri;
    }

    /// <summary>
    /// Whether a request Keyway writes for <paramref name="upstreamModel"/> here (a translated one, or a probe) names its
    /// output limit <c>max_completion_tokens</c>, OpenAI's current name, which OpenAI takes for every chat model and its
    /// reasoning models require (<c>max_tokens</c> "is now deprecated in favor of max_completion_tokens, and is not
    /// compatible with o-series models", https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_tokens):
    /// on OpenAI's own API, and for a reasoning model wherever it is served (Azure, a reseller). Elsewhere
    /// <c>max_tokens</c>, which DeepSeek, Qwen, GLM, Kimi, MiniMax and vLLM document and some of them would ignore
    /// the new name for. Not applied to a passed-through body, which reaches the upstream as the client wrote it.
    /// </summary>
    public bool TakesMaxCompletionTokens(string upstreamModel) =>
        Protocol == UpstreamProtocol.OpenAI && (IsOpenAIPlatform || OpenAIReasoningModels.Matches(upstreamModel));

    /// <summary>
    /// Whether a request Keyway translates for <paramref name="upstreamModel"/> here leaves out <c>temperature</c>,
    /// <c>top_p</c> and <c>stop</c>, and a request sent here gets no route default temperature: OpenAI's reasoning
    /// models refuse them ("Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1)
    /// value is supported.", "Unsupported parameter: 'stop' is not supported with this model."; on the Responses API
    /// "Unsupported parameter: 'temperature' is not supported with this model."), so sampling wishes would only cost
    /// every call. A client's own passed-through body still reaches the upstream as the client wrote it.
    /// </summary>
    public bool FixesSampling(string upstreamModel) =>
        Protocol is UpstreamProtocol.OpenAI or UpstreamProtocol.OpenAIResponses && OpenAIReasoningModels.Matches(upstreamModel);

    /// <summary>
    /// Whether a request Keyway translates for this endpoint may give assistant tool-call turns their reasoning back as
    /// <c>reasoning_content</c> (<see cref="Keyway.Protocols.Translation.TranslationContext.ChatReasoningReplay"/>): not on
    /// OpenAI's own API, which refuses a message property it does not define, nor on Cerebras's, which refuses it for every
    /// model, its own reasoning models' included ("messages.2.assistant.reasoning_content: property
    /// 'messages.2.assistant.reasoning_content' is unsupported", code <c>wrong_api_format</c>). Compatible vendors take it,
    /// and DeepSeek's thinking mode needs it.
    /// </summary>
    public bool TakesReasoningContent => !(IsPlatform(OpenAIPlatform) || IsPlatform(CerebrasPlatform));

    /// <summary>
    /// Whether this is MiniMax's own OpenAI-compatible Chat API (international or China,
    /// https://platform.minimax.io/docs/api-reference/text-openai-api), whose thinking comes inside <c>content</c> as
    /// <c>&lt;think&gt;…&lt;/think&gt;</c> unless a request asks <c>reasoning_split</c>: a request Keyway translates for it
    /// asks, and replays reasoning as <c>reasoning_details</c>
    /// (<see cref="Keyway.Protocols.Translation.TranslationContext.ChatReasoningSplit"/>). Its Anthropic-compatible
    /// endpoint sends thinking blocks of its own and needs nothing.
    /// </summary>
    public bool SplitsReasoning => Protocol == UpstreamProtocol.OpenAI && (IsPlatform(MiniMaxPlatform) || IsPlatform(MiniMaxChinaPlatform));

    /// <summary>The base URL is OpenAI's own API (a key's own base URL is not known when a request is translated).</summary>
    private bool IsOpenAIPlatform => IsPlatform(OpenAIPlatform);

    private bool IsPlatform(string origin) =>
        BaseUrl is not null
        && BaseUrl.StartsWith(origin, StringComparison.OrdinalIgnoreCase)
        && (BaseUrl.Length == origin.Length || BaseUrl[origin.Length] == '/');

    private sealed record BuiltUri(string BaseUrl, string Path, Uri Uri);
}
