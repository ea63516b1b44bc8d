using System.Collections.Frozen;
using System.Text;
using Keyway.Protocols;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>The outcome of one probe, in the Python Keyway's shape, and the provider and upstream key it was sent to.</summary>
public sealed record ProbeResult(bool Ok, int Status, long LatencyMs, string UpstreamModel, string Message)
{
    public string? ProviderId { get; init; }

    /// <summary>The name of the upstream key the probe used; null when the provider has no key.</summary>
    public string? Key { get; init; }
}

/// <summary>
/// Sends one small real chat request ("Reply with OK.", 16 tokens) to a provider through the same
/// request building and HTTP stack as the data plane, for the admin Test button and the E2E run.
/// </summary>
public sealed class RouteProber(UpstreamClient upstream, CooldownBook book, TimeProvider time)
{
    public static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Probes a route as its next request would go: the first target with a usable key (one that serves the target's
    /// model and neither cools down nor is quarantined), with the key the pool would pick. When every key of every
    /// target is blocked, the first target's first key for its model, so the answer shows the upstream's reason.
    /// </summary>
    public async Task<(RouteTarget Target, ProbeResult Result)> ProbeRouteAsync(RouteEntry route, CancellationToken cancellationToken)
    {
        foreach (var target in route.Targets)
        {
            if (KeyPool.Select(target, book, FrozenSet<string>.Empty).Key is { } key)
            {
                return (target, await ProbeAsync(target.Provider, target.UpstreamModel, cancellationToken, key));
            }
        }
        var first = new RouteTarget(route.Provider, route.UpstreamModel);
        return (first, await ProbeAsync(first.Provider, first.UpstreamModel, cancellationToken));
    }

    /// <summary>Probes with <paramref name="key"/>, or the pool's first key that serves <paramref name="upstreamModel"/>.</summary>
    public async Task<ProbeResult> ProbeAsync(UpstreamProvider provider, string upstreamModel, CancellationToken cancellationToken, UpstreamKey? key = null)
    {
        if (provider.Keys.Count == 0)
        {
            return new ProbeResult(false, StatusCodes.Status503ServiceUnavailable, 0, upstreamModel, GatewayMessages.NoUsableKey(provider.ProviderId))
            {
                ProviderId = provider.ProviderId,
            };
        }
        key ??= provider.Keys.FirstOrDefault(k => k.Serves(upstreamModel)) ?? provider.Keys[0];
        return await SendProbeAsync(provider, upstreamModel, key, cancellationToken) with { ProviderId = provider.ProviderId, Key = key.Name };
    }

    private async Task<ProbeResult> SendProbeAsync(UpstreamProvider provider, string upstreamModel, UpstreamKey key, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;
        // The provider's own timeout when it is the shorter, and the message names the one that ran out.
        var limit = provider.Timeout < MaxProbeTime ? provider.Timeout : MaxProbeTime;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            var (status, body, cutOff) = await ExchangeAsync(provider, upstreamModel, key, stream: false, timeout.Token);
            var streamed = RefusesWholeAnswers(status, body);
            if (streamed)
            {
                (status, body, cutOff) = await ExchangeAsync(provider, upstreamModel, key, stream: true, timeout.Token);
            }
            // An error body cut off by the probe's time is still the upstream's answer; the caller's leaving is not.
            cancellationToken.ThrowIfCancellationRequested();
            var ok = status is >= 200 and < 300;
            var message = !ok ? Failed(provider.ProviderId, status, UpstreamErrorMessage.Extract(body, 300), cutOff)
                : streamed ? "chat OK (stream only)"
                : $"chat OK ({ReplyText.Extract(body, provider.Protocol).Length} chars)";
            return new ProbeResult(ok, status, Elapsed(), upstreamModel, message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, StatusCodes.Status504GatewayTimeout, Elapsed(), upstreamModel, GatewayMessages.Timeout(provider.ProviderId, limit));
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, StatusCodes.Status502BadGateway, Elapsed(), upstreamModel, GatewayMessages.Unreachable(provider.ProviderId, e.Message));
        }
    }

    private static string Failed(string providerId, int status, string message, bool cutOff) => cutOff
        ? GatewayMessages.UpstreamFailedCutOff(providerId, status, message)
        : GatewayMessages.UpstreamFailed(providerId, status, message);

    /// <summary>
    /// One call and its status and body. An error status's body is read as the data plane reads it
    /// (<see cref="UpstreamErrorBody"/>): one that breaks off or stalls past the probe's time is what arrived, cut off.
    /// </summary>
    private async Task<(int Status, byte[] Body, bool CutOff)> ExchangeAsync(
        UpstreamProvider provider, string upstreamModel, UpstreamKey key, bool stream, CancellationToken cancellationToken)
    {
        var protocol = UpstreamProtocols.For(provider.Protocol);
        using var request = UpstreamClient.CreateRequest(
            provider, provider.MainEndpoint, key, protocol.ChatPath, ProbeBody(provider.MainEndpoint, upstreamModel, stream), new HeaderDictionary());
        using var response = await upstream.SendAsync(request, cancellationToken);
        var (body, cutOff) = response.IsSuccessStatusCode
            ? (await response.Content.ReadAsByteArrayAsync(cancellationToken), false)
            : await UpstreamErrorBody.ReadAsync(response, cancellationToken);
        // An upstream that echoes the key it refused ("Incorrect API key provided: sk-…") must not show it to the admin.
        return ((int)response.StatusCode, new Security.SecretScrubber(key.Secret, clientKey: null, provider.HeaderSecrets).Scrub(body), cutOff);
    }

    /// <summary>
    /// DashScope's refusal of a whole (non-stream) answer from a model that only streams: QwQ and the thinking-only Qwen
    /// models ("This model only support stream mode, please enable the stream parameter to access the model."), an
    /// open-source Qwen3 thinking ("parameter.enable_thinking must be set to false for non-streaming calls" /
    /// "parameter.enable_thinking only support stream call"), https://www.alibabacloud.com/help/model-studio/error-code.
    /// The key answered, so the probe asks again for a stream: a quarantined key on such a model was never let out.
    /// Asking for a stream only then keeps every other probe's answer (its reply text) as it was.
    /// </summary>
    private static bool RefusesWholeAnswers(int status, byte[] body)
    {
        if (status != StatusCodes.Status400BadRequest)
        {
            return false;
        }
        var message = UpstreamErrorMessage.Extract(body, 300);
        return message.Contains("only support stream", StringComparison.OrdinalIgnoreCase)
            || message.Contains("for non-streaming calls", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The probe names its limit as a translated request would (<see cref="UpstreamEndpoint.TakesMaxCompletionTokens"/>):
    /// OpenAI's reasoning models answer <c>max_tokens</c> with a 400, and a key quarantined on one would never be let out.
    /// </summary>
    private static byte[] ProbeBody(UpstreamEndpoint endpoint, string upstreamModel, bool stream)
    {
        var streamed = stream ? "true" : "false";
        var model = System.Text.Json.JsonEncodedText.Encode(upstreamModel);
        var limit = endpoint.TakesMaxCompletionTokens(upstreamModel) ? "max_completion_tokens" : "max_tokens";
        return Encoding.UTF8.GetBytes(endpoint.Protocol == UpstreamProtocol.OpenAIResponses
            ? $$"""{"model":"{{model}}","max_output_tokens":16,"stream":{{streamed}},"store":false,"input":"Reply with OK."}"""
            : $$"""{"model":"{{model}}","{{limit}}":16,"stream":{{streamed}},"messages":[{"role":"user","content":"Reply with OK."}]}""");
    }
}
