using Keyway.Protocols.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation;

/// <summary>
/// One call's translation between the client's wire format and the upstream's, through OpenAI Chat as the hub:
/// Anthropic ⇄ Chat and Responses ⇄ Chat are single hops, Responses → Anthropic is Responses → Chat → Anthropic.
/// The request is translated when the pipeline is made; the answer (whole or streamed) goes back through the
/// same hops in reverse, each hop with the TranslatedRequest it produced (tool names, usage wishes).
/// </summary>
public sealed class TranslationPipeline : IDisposable
{
    private readonly IReadOnlyList<(Hop Hop, TranslatedRequest Request)> _hops;
    private readonly TranslationContext _context;

    private TranslationPipeline(IReadOnlyList<(Hop, TranslatedRequest)> hops, TranslationContext context)
    {
        _hops = hops;
        _context = context;
    }

    /// <summary>The id of the answer this pipeline writes for the client.</summary>
    public string ResponseId => _context.ResponseId;

    /// <summary>The request body in the upstream's format, in a pooled array until the pipeline is disposed (and no send reads it).</summary>
    public LeasedBytes UpstreamBody => _hops[^1].Request.Bytes;

    /// <summary>Whether a pipeline exists from <paramref name="client"/> to <paramref name="upstream"/> (and they differ).</summary>
    public static bool CanTranslate(WireFormat client, WireFormat upstream) => Route(client, upstream) is not null;

    /// <summary>Translates the client's request; throws <see cref="TranslationException"/> when it cannot be translated.</summary>
    public static TranslationPipeline Create(WireFormat client, WireFormat upstream, ReadOnlyMemory<byte> clientBody, TranslationContext context)
    {
        var route = Route(client, upstream) ?? throw new TranslationException($"no translation from {client} to {upstream}");
        var hops = new List<(Hop, TranslatedRequest)>(route.Length);
        // Read where it lies: a copy of the client's body (Claude Code's run to 100 KB and more) would only be garbage.
        var body = clientBody;
        var pipeline = new TranslationPipeline(hops, context);
        // A hop whose Chat request only Keyway's next hop reads may keep a tool's images where that hop takes them.
        var towardsNextHop = route.Length > 1 ? context with { ChatToolMessageImages = true } : context;
        try
        {
            foreach (var hop in route)
            {
                var translated = hop.TranslateRequest(body, hops.Count < route.Length - 1 ? towardsNextHop : context);
                hops.Add((hop, translated));
                body = translated.Body;
            }
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
        return pipeline;
    }

    /// <summary>
    /// A whole upstream answer in the client's format. <paramref name="upstreamUsage"/> is the upstream answer's usage
    /// when the first translator read it anyway (a Chat completion), null when the caller has to read it.
    /// </summary>
    public byte[] TranslateResponse(byte[] upstreamBody, out TokenUsage? upstreamUsage)
    {
        var body = _hops[^1].Hop.TranslateResponse(upstreamBody, _hops[^1].Request, _context, out upstreamUsage);
        for (var i = _hops.Count - 2; i >= 0; i--)
        {
            body = _hops[i].Hop.TranslateResponse(body, _hops[i].Request, _context, out _);
        }
        return body;
    }

    /// <summary>
    /// A stream translator from the upstream's events to the client's. <paramref name="upstreamReport"/> is what the log
    /// needs of the upstream's stream when the first translator reads it anyway (a Chat stream), null when the caller
    /// has to read it.
    /// </summary>
    public IStreamTranslator CreateStreamTranslator(out ChatStreamReport? upstreamReport)
    {
        var translator = _hops[^1].Hop.CreateStream(_hops[^1].Request, _context, out upstreamReport);
        for (var i = _hops.Count - 2; i >= 0; i--)
        {
            translator = new ChainedStreamTranslator(translator, _hops[i].Hop.CreateStream(_hops[i].Request, _context, out _));
        }
        return translator;
    }

    /// <summary>The call is over: every hop's request gives its array back.</summary>
    public void Dispose()
    {
        foreach (var (_, request) in _hops)
        {
            request.Dispose();
        }
    }

    private static Hop[]? Route(WireFormat client, WireFormat upstream) => (client, upstream) switch
    {
        (WireFormat.AnthropicMessages, WireFormat.OpenAIChat) => [Hop.AnthropicToChat],
        (WireFormat.OpenAIChat, WireFormat.AnthropicMessages) => [Hop.ChatToAnthropic],
        (WireFormat.OpenAIResponses, WireFormat.OpenAIChat) => [Hop.ResponsesToChat],
        (WireFormat.OpenAIResponses, WireFormat.AnthropicMessages) => [Hop.ResponsesToChat, Hop.ChatToAnthropic],
        _ => null,
    };

    /// <summary>An answer translator; <paramref name="upstreamUsage"/> as in <see cref="TranslateResponse"/>.</summary>
    private delegate byte[] AnswerTranslator(byte[] body, TranslatedRequest request, TranslationContext ctx, out TokenUsage? upstreamUsage);

    private delegate TranslatedRequest RequestTranslator(ReadOnlyMemory<byte> body, TranslationContext ctx);

    /// <summary>A stream translator's factory; <paramref name="upstreamReport"/> as in <see cref="CreateStreamTranslator"/>.</summary>
    private delegate IStreamTranslator StreamTranslatorFactory(TranslatedRequest request, TranslationContext ctx, out ChatStreamReport? upstreamReport);

    /// <summary>One translator pair: the request one way, the answer and its stream the other way.</summary>
    private sealed record Hop(
        RequestTranslator TranslateRequest,
        AnswerTranslator TranslateResponse,
        StreamTranslatorFactory CreateStream)
    {
        public static readonly Hop AnthropicToChat = new(
            AnthropicRequestToChat.Translate,
            (byte[] body, TranslatedRequest request, TranslationContext ctx, out TokenUsage? usage) => ChatResponseToAnthropic.Translate(body, request, ctx, out usage),
            (TranslatedRequest request, TranslationContext ctx, out ChatStreamReport? report) =>
            {
                var translator = new ChatStreamToAnthropic(request, ctx);
                report = translator.Report;
                return translator;
            });

        public static readonly Hop ChatToAnthropic = new(
            ChatRequestToAnthropic.Translate,
            (byte[] body, TranslatedRequest request, TranslationContext ctx, out TokenUsage? usage) =>
            {
                usage = null;
                return AnthropicResponseToChat.Translate(body, request, ctx);
            },
            (TranslatedRequest request, TranslationContext ctx, out ChatStreamReport? report) =>
            {
                report = null;
                return new AnthropicStreamToChat(request, ctx);
            });

        public static readonly Hop ResponsesToChat = new(
            ResponsesRequestToChat.Translate,
            (byte[] body, TranslatedRequest request, TranslationContext ctx, out TokenUsage? usage) => ChatResponseToResponses.Translate(body, request, ctx, out usage),
            (TranslatedRequest request, TranslationContext ctx, out ChatStreamReport? report) =>
            {
                var translator = new ChatStreamToResponses(request, ctx);
                report = translator.Report;
                return translator;
            });
    }
}
