using Keyway.Protocols.Translation;
using Keyway.Tools;
using Keyway.Upstreams;

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
/// <paramref name="Endpoint"/> is where the call goes and in which protocol (the provider's main endpoint or a native
/// one); <paramref name="Path"/> is below its base URL. <paramref name="Watcher"/> reads a streamed answer in the upstream's protocol; <paramref name="RelayAsIs"/> relays
/// any answer, errors included, untouched (generation endpoints); <paramref name="Decorate"/> adds headers;
/// <paramref name="Translation"/>, when the client speaks another protocol than the upstream, turns the answer
/// (whole or streamed) into the client's. <paramref name="WebSearch"/>, when the gateway added its search tool to
/// <paramref name="Body"/>, is the provider that runs the searches the upstream asks for; <paramref name="NewWatcher"/>
/// makes a fresh <paramref name="Watcher"/> for each further streamed round of that search loop. <paramref name="ChatAnswer"/>
/// says the answer is a chat surface's (a Chat completion, an Anthropic message or a Response, in the endpoint's
/// protocol): a 200 whose body is not JSON is then the key's failure, and a whole answer to a client that asked for a
/// stream is relayed as that stream. <paramref name="ReshapeAnswer"/> turns a translated whole answer into the
/// endpoint's own shape (the compacted response object of <c>/v1/responses/compact</c>). <paramref name="Turn"/>, for a
/// translated Responses request whose conversation Keyway keeps, is stored with the answer before the answer's end is sent.
/// <paramref name="AnswerUnserved"/> answers in the upstream's place when it says it does not serve the path (404, 405).
/// </summary>
internal sealed record RelayPlan(
    UpstreamEndpoint Endpoint,
    string Path,
    UpstreamBody Body,
    IStreamWatcher? Watcher,
    UsageFormat BodyUsage,
    bool RelayAsIs = false,
    Action<HttpRequestMessage>? Decorate = null,
    TranslationPipeline? Translation = null,
    WebSearchProvider? WebSearch = null,
    HttpMethod? Method = null,
    IRelayContent? Content = null,
    bool StreamAnswer = false,
    Func<IStreamWatcher>? NewWatcher = null,
    bool ChatAnswer = false,
    Func<byte[], byte[]>? ReshapeAnswer = null,
    ResponsesTurn? Turn = null,
    Func<ProxyExchange, Task>? AnswerUnserved = null) : IEndpointPlan;
