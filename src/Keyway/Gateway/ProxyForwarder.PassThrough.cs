using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Upstreams;
using Microsoft.AspNetCore.Http.Features;

namespace Keyway.Gateway;

/// <summary>
/// The OpenAI surfaces beyond chat (embeddings, images, audio, moderations, rerank, legacy completions, any other
/// /v1/{path} naming a model): relayed untranslated to the same path below the route's OpenAI-protocol endpoint, with
/// the same key pools and failover as chat. Anthropic-protocol endpoints serve none of them.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>A JSON body, <c>model</c> rewritten and every other byte as the client sent it.</summary>
    internal Task ForwardPassThroughAsync(HttpContext context, PassThroughSurface surface) => RunAsync(context, ClientProtocol.OpenAIChat, async (exchange, request) =>
    {
        exchange.Stream = request.Parsed.Stream;
        // A streamed legacy completion is asked for its usage chunk like a chat stream, and the added chunk hidden.
        var injectUsage = surface.StreamUsage && request.Parsed.Stream && !request.Parsed.HasIncludeUsage;
        var path = UpstreamPathOf(context.Request);
        var method = HttpMethod.Parse(context.Request.Method);
        await SendOrRefuseAsync(exchange, target => OpenAIEndpointOf(target.Provider) is { } endpoint
            ? new RelayPlan(
                endpoint, path, request.EditedFor(target.UpstreamModel, injectUsage),
                surface.StreamUsage ? WatcherFor(WireFormat.OpenAIChat, injectUsage) : null, surface.Usage,
                Method: method, StreamAnswer: surface.StreamAnswer)
            : null);
    });

    /// <summary>A multipart form (transcriptions, image edits): its <c>model</c> field rewritten, its files streamed through.</summary>
    internal Task ForwardMultipartAsync(HttpContext context, PassThroughSurface surface) => RunAsync(context, ClientProtocol.OpenAIChat, ReadFormAsync, async (exchange, form) =>
    {
        var path = UpstreamPathOf(context.Request);
        await SendOrRefuseAsync(exchange, target => OpenAIEndpointOf(target.Provider) is { } endpoint
            ? new RelayPlan(endpoint, path, UpstreamBody.Of([]), null, surface.Usage, Content: form.For(target.UpstreamModel))
            : null);
    });

    private static async Task<MultipartForm?> ReadFormAsync(ProxyExchange exchange)
    {
        MultipartForm? form;
        try
        {
            form = await MultipartForm.ReadAsync(exchange.Context.Request, exchange.Aborted);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OperationCanceledException)
        {
            await RefuseUnreadableFormAsync(exchange, e);
            return null;
        }
        if (form is { Model.Length: > 0 })
        {
            return form;
        }
        if (form is not null)
        {
            await form.DisposeAsync();
        }
        await RejectAsync(exchange, StatusCodes.Status400BadRequest, form is null ? GatewayMessages.NotAForm : GatewayMessages.MissingModel);
        return null;
    }

    /// <summary>
    /// The client's form could not be read, before any attempt or while one sent it: a client that left is logged 499
    /// with no answer; Kestrel's refusal (413, 408) and a form cut short inside a whole body are the client's own error.
    /// </summary>
    private static Task RefuseUnreadableFormAsync(ProxyExchange exchange, Exception exception)
    {
        if (ClientLeftDuringBody(exchange, exception))
        {
            NoteClientLeftDuringBody(exchange);
            return Task.CompletedTask;
        }
        return exception switch
        {
            BadHttpRequestException refused => RejectUnreadableBodyAsync(exchange, refused),
            InvalidDataException => RejectAsync(exchange, StatusCodes.Status400BadRequest, GatewayMessages.InvalidForm(exception.Message)),
            // The multipart reader's own "Unexpected end of Stream": the body was whole, the form in it was cut short.
            _ => RejectAsync(exchange, StatusCodes.Status400BadRequest, GatewayMessages.InvalidForm(exception.Message.TrimEnd())),
        };
    }

    /// <summary>Sends through the route's targets; when none speaks OpenAI, the 400 naming the path it cannot serve.</summary>
    private async Task SendOrRefuseAsync(ProxyExchange exchange, Func<RouteTarget, RelayPlan?> planFor)
    {
        if (!await SendAndRelayAsync(exchange, planFor))
        {
            var route = exchange.Route!;
            await RejectAsync(exchange, StatusCodes.Status400BadRequest, GatewayMessages.PathNotServed(route.Alias, route.Provider.ProviderId, exchange.Context.Request.Path));
        }
    }

    /// <summary>The provider's OpenAI-protocol endpoint (main or native); null when it only speaks Anthropic.</summary>
    private static UpstreamEndpoint? OpenAIEndpointOf(UpstreamProvider provider) =>
        provider.EndpointFor(WireFormat.OpenAIChat) is { Protocol: not UpstreamProtocol.Anthropic } endpoint ? endpoint : null;

    /// <summary>The client's path below /v1 (OpenAI-protocol base URLs end in /v1), query string included.</summary>
    private static string UpstreamPathOf(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var below = path.StartsWith("/v1/", StringComparison.Ordinal) ? path["/v1/".Length..] : path.TrimStart('/');
        return below + request.QueryString.Value;
    }

    /// <summary>A binary answer (speech audio) copied to the client as it arrives; a break aborts the client's connection.</summary>
    private async Task RelayBodyAsync(ProxyExchange exchange, HttpResponseMessage response, CancellationTokenSource idle)
    {
        var client = exchange.Context.Response;
        ResponseHeaders.Copy(response, client, exchange.Secrets, bytesAsSent: true);
        client.StatusCode = exchange.StatusCode;
        client.ContentLength = response.Content.Headers.ContentLength;
        exchange.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var provider = exchange.Target!.Provider;
        await using var upstreamBody = await response.Content.ReadAsStreamAsync(idle.Token);
        var (result, _) = await BodyRelay.CopyAsync(
            upstreamBody, client.BodyWriter, () => exchange.FirstByteTimestamp ??= time.GetTimestamp(), idle, RelayTimeoutsOf(provider), idle.Token);
        switch (result)
        {
            case CopyResult.OutputStalled:
                RecordClientStalled(exchange);
                break;
            case CopyResult.InputError:
                await FailAsync(exchange, ForwardError.ResponseBodyUpstream, GatewayMessages.StreamBroke(provider.ProviderId));
                exchange.Context.Abort();
                break;
            // A binary body has no error event: the drain's 503 is in the log, and the cut tells the client.
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested && await EndedByDrainAsync(exchange):
                exchange.Context.Abort();
                break;
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested:
                await FailAsync(exchange, ForwardError.UpstreamTimeout, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout));
                exchange.Context.Abort();
                break;
            case CopyResult.Canceled:
            case CopyResult.OutputError:
                Record(exchange, ForwardError.ResponseBodyClient, "client closed the stream");
                break;
        }
    }
}
