using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Usage;
using Keyway.Tools;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The server-side search loop of a non-streamed answer, in the upstream's protocol, on the key that answered:
/// while the upstream calls only <c>tavily_search</c>, run the searches in parallel, append the assistant turn and
/// their results, and ask again — at most <see cref="MaxSearchRounds"/> times, then once more with tools forbidden
/// so the client always gets an answer. An answer that also calls the client's tools goes back to the client with
/// the gateway's calls stripped; those searches still run (the issue asks it, and they are counted) but their
/// results are dropped, since the client's next turn would not carry them anyway.
/// </summary>
public sealed partial class ProxyForwarder
{
    private const int MaxSearchRounds = 5;

    /// <summary>
    /// The loop's end: the final answer's body, or a later round that was no answer. <paramref name="BrokeOff"/> says the
    /// final Chat answer broke off (GLM's network_error), read by the scan that read its usage; <paramref name="Unusable"/>
    /// that a later round's 200 was no answer (an error object, a vendor's failure status, a body that is not JSON) or
    /// that the upstream refused it (<see cref="NoAnswer.Refusal"/>).
    /// </summary>
    private sealed record WebSearchEnd(byte[] Body, TokenUsage? Usage, string? BrokeOff = null, NoAnswer? Unusable = null);

    /// <summary>
    /// Runs the loop from the upstream's first answer, whose usage (and whether it broke off) the caller read into the
    /// exchange already; returns the end with the final answer to relay, or a later round that was no answer, the
    /// exchange's usage then undone as after any attempt that failed.
    /// </summary>
    private async Task<WebSearchEnd> SearchUntilAnsweredAsync(
        ProxyExchange exchange, RelayPlan plan, byte[] firstAnswer, string? firstBrokeOff, UpstreamKey key, CancellationTokenSource idle)
    {
        var end = await RunWebSearchAsync(exchange, plan, plan.WebSearch!, firstAnswer, firstBrokeOff, key, idle);
        exchange.Usage = end.Usage;
        return end;
    }

    /// <summary>
    /// The loop; a client that leaves during it is the caller's to log (its cancellation is thrown on), the rounds' cost
    /// counted first (<see cref="UsageEstimate.CompleteLeftRound"/>).
    /// </summary>
    private async Task<WebSearchEnd> RunWebSearchAsync(
        ProxyExchange exchange, RelayPlan plan, WebSearchProvider provider, byte[] answerBody, string? brokeOff, UpstreamKey key, CancellationTokenSource idle)
    {
        var usage = exchange.Usage;
        UpstreamBody? sending = null;
        try
        {
            return await RunWebSearchRoundsAsync(exchange, plan, provider, answerBody, brokeOff, key, idle, (answered, body) => (usage, sending) = (answered, body));
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            UsageEstimate.CompleteLeftRound(exchange, plan, usage, sending);
            throw;
        }
    }

    /// <param name="progress">Told the usage of the rounds answered so far and the body of the round being sent (null once it answered).</param>
    private async Task<WebSearchEnd> RunWebSearchRoundsAsync(
        ProxyExchange exchange, RelayPlan plan, WebSearchProvider provider, byte[] answerBody, string? brokeOff, UpstreamKey key, CancellationTokenSource idle,
        Action<TokenUsage?, UpstreamBody?> progress)
    {
        var dialect = WebSearchDialect.For(plan.Endpoint.Protocol.Wire());
        var usage = exchange.Usage;
        TokenUsage? earlier = null;
        JsonObject? request = null;
        for (var round = 1; ; round++)
        {
            if (ParseObject(answerBody) is not { } answer)
            {
                return new WebSearchEnd(answerBody, usage, brokeOff);
            }
            var turn = dialect.Read(answer);
            if (turn.Ours.Count == 0 && earlier is null)
            {
                return new WebSearchEnd(answerBody, usage, brokeOff);
            }
            if (turn.Ours.Count == 0 || round > MaxSearchRounds + 1)
            {
                dialect.StripOurCalls(answer);
                return new WebSearchEnd(WithEarlierUsage(dialect, answer, earlier), usage, brokeOff);
            }
            request ??= ParseObject(plan.Body.ToArray())!;
            if (round > MaxSearchRounds)
            {
                dialect.ForbidTools(request);
            }
            else
            {
                var results = await SearchAllAsync(exchange, provider, turn.Ours, idle.Token);
                if (turn.CallsClientTools)
                {
                    dialect.StripOurCalls(answer);
                    return new WebSearchEnd(WithEarlierUsage(dialect, answer, earlier), usage, brokeOff);
                }
                dialect.AppendRound(request, answer, results);
            }
            var roundBody = UpstreamBody.Of(Serialize(request));
            progress(usage, roundBody);
            // Nothing of the loop reached the client yet: a later round that got no answer (a refused connection, a reset, the
            // provider's timeout) or an error status is the key's as on its first round, and so is a 200 that is no answer
            // (the first answer's checks): the next key runs the loop from the start.
            HttpResponseMessage response;
            try
            {
                response = await SendRoundAsync(exchange, plan, key, roundBody, idle);
            }
            catch (Exception e) when (IsUpstreamsBreak(exchange, e))
            {
                return new WebSearchEnd([], null, Unusable: NoAnswerFrom(e, exchange.Target!.Provider));
            }
            if (!response.IsSuccessStatusCode)
            {
                return new WebSearchEnd([], null, Unusable: NoAnswer.Refused(response, usage));
            }
            using (response)
            {
                try
                {
                    answerBody = await ReadWholeBodyAsync(exchange, response, idle.Token);
                }
                catch (Exception e) when (IsUpstreamsBreak(exchange, e))
                {
                    return new WebSearchEnd([], null, Unusable: WholeBodyBrokeOff(exchange, e));
                }
                if (plan.ChatAnswer && NoAnswerIn(exchange, response, answerBody) is { } unusable)
                {
                    return new WebSearchEnd([], null, Unusable: unusable);
                }
            }
            var roundUsage = UsageOf(plan.BodyUsage, answerBody, out brokeOff, out var cutShort);
            if (cutShort && plan.ChatAnswer)
            {
                return new WebSearchEnd([], null, Unusable: CutShort(exchange));
            }
            earlier = usage;
            usage = Sum(usage, roundUsage);
            progress(usage, null);
        }
    }

    /// <summary>The final answer with the earlier rounds' tokens added to its usage, so the client sees the sum.</summary>
    private static byte[] WithEarlierUsage(WebSearchDialect dialect, JsonObject answer, TokenUsage? earlier)
    {
        if (earlier is not null && answer["usage"] is JsonObject usage)
        {
            dialect.AddUsage(usage, earlier);
        }
        return Serialize(answer);
    }

    private async Task<HttpResponseMessage> SendRoundAsync(ProxyExchange exchange, RelayPlan plan, UpstreamKey key, UpstreamBody body, CancellationTokenSource idle)
    {
        var provider = exchange.Target!.Provider;
        idle.CancelAfter(provider.Timeout);
        exchange.BeginSearchRound();
        using var request = UpstreamClient.CreateRequest(
            provider, plan.Endpoint, key, HttpMethod.Post, plan.Path, body.CreateContent(exchange), exchange.Context.Request.Headers);
        plan.Decorate?.Invoke(request);
        exchange.WebSearchRoundStart ??= time.GetTimestamp();
        try
        {
            return await upstream.SendAsync(request, idle.Token);
        }
        finally
        {
            exchange.WebSearchRoundMs.Add((long)time.GetElapsedTime(exchange.WebSearchRoundStart.Value).TotalMilliseconds);
            exchange.WebSearchRoundStart = null;
        }
    }

    /// <summary>
    /// The searches of one round, ended by the attempt's cancellation (<paramref name="cancellationToken"/>): the client
    /// leaving, the provider's idle timeout the next round would fail on anyway, or the drain window's end.
    /// </summary>
    private async Task<(WebSearchCall Call, string Result)[]> SearchAllAsync(
        ProxyExchange exchange, WebSearchProvider provider, IReadOnlyList<WebSearchCall> calls, CancellationToken cancellationToken)
    {
        exchange.WebSearchCalls += calls.Count;
        exchange.WebSearchRoundStart = time.GetTimestamp();
        if (options.LogToolQueries)
        {
            exchange.WebSearchQueries.AddRange(calls.Select(call => call.Query));
        }
        return await Task.WhenAll(calls.Select(async call =>
        {
            var outcome = string.IsNullOrWhiteSpace(call.Query)
                ? TavilyClient.Failed(0, "no query given")
                : await tavily.SearchAsync(provider, call.Query, call.MaxResults, cancellationToken);
            toolUsage.Record(provider.ToolId, outcome.Ok, time.GetUtcNow());
            if (!outcome.Ok)
            {
                Log.WebSearchFailed(logger, provider.ToolId, outcome.Message);
            }
            return (call, outcome.ResultJson);
        }));
    }

    /// <summary>Compact JSON that keeps non-ASCII text as it is (the default encoder would escape every ü).</summary>
    private static byte[] Serialize(JsonObject node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            node.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static JsonObject? ParseObject(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TokenUsage? UsageOf(UsageFormat format, byte[] body) => format switch
    {
        UsageFormat.ChatCompletion => UsageReader.FromChatCompletion(body),
        UsageFormat.AnthropicMessage => UsageReader.FromAnthropicMessage(body),
        UsageFormat.Response => UsageReader.FromResponse(body),
        _ => null,
    };

    /// <summary>
    /// A whole answer's usage; the scan says in the same pass whether a Chat completion broke off (GLM's network_error)
    /// and whether the answer's JSON is cut short (<see cref="UsageReader.FromAnthropicMessage(ReadOnlySpan{byte}, out bool)"/>).
    /// </summary>
    private static TokenUsage? UsageOf(UsageFormat format, byte[] body, out string? brokeOff, out bool cutShort)
    {
        brokeOff = null;
        cutShort = false;
        return format switch
        {
            UsageFormat.ChatCompletion => UsageReader.FromChatCompletion(body, out brokeOff, out cutShort),
            UsageFormat.AnthropicMessage => UsageReader.FromAnthropicMessage(body, out cutShort),
            UsageFormat.Response => UsageReader.FromResponse(body, out cutShort),
            _ => null,
        };
    }

    /// <summary>Usage over rounds: each field summed, unknown only when no round reported it.</summary>
    private static TokenUsage? Sum(TokenUsage? a, TokenUsage? b) => a is null ? b : b is null ? a : new TokenUsage(
        Add(a.InputTokens, b.InputTokens), Add(a.OutputTokens, b.OutputTokens), Add(a.CacheReadTokens, b.CacheReadTokens),
        Add(a.CacheWriteTokens, b.CacheWriteTokens), Add(a.ReasoningTokens, b.ReasoningTokens));

    private static long? Add(long? a, long? b) => a is null ? b : b is null ? a : a + b;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Web search through tool provider {ToolId} failed: {Message}")]
        public static partial void WebSearchFailed(ILogger logger, string toolId, string message);
    }
}
