using Keyway.Protocols;
using Keyway.Protocols.Usage;
using Keyway.Upstreams;
using Microsoft.AspNetCore.Http.Features;

namespace Keyway.Gateway;

/// <summary>Steps 4 and 5: send to the upstream, then bring its answer back to the client.</summary>
public sealed partial class ProxyForwarder
{
    private async Task SendAndRelayAsync(ProxyExchange exchange, RelayPlan plan)
    {
        var provider = exchange.Route!.Provider;
        if (provider.Keys.Count == 0)
        {
            await FailAsync(exchange, ForwardError.NoUsableKey, GatewayMessages.NoUsableKey(provider.ProviderId));
            return;
        }
        var key = provider.Keys[0];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(exchange.Aborted);
        idle.CancelAfter(provider.Timeout);
        using var request = UpstreamClient.CreateRequest(provider, key, plan.Path, plan.Body, exchange.Context.Request.Headers);
        plan.Decorate?.Invoke(request);
        exchange.Attempts++;
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, idle.Token);
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            Record(exchange, ForwardError.ClientCanceled, "client closed the request before the upstream answered");
            return;
        }
        catch (OperationCanceledException)
        {
            await FailAsync(exchange, ForwardError.UpstreamTimeout, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout));
            return;
        }
        catch (HttpRequestException e)
        {
            await FailAsync(exchange, ForwardError.UpstreamConnect, GatewayMessages.Unreachable(provider.ProviderId, e.Message));
            return;
        }
        using (response)
        {
            try
            {
                await RelayResponseAsync(exchange, plan, response, key, idle);
            }
            catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
            {
                Record(exchange, ForwardError.ClientCanceled, "client closed the request");
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
                var error = e is OperationCanceledException ? ForwardError.UpstreamTimeout : ForwardError.ResponseBodyUpstream;
                await FailAsync(exchange, error, GatewayMessages.StreamBroke(provider.ProviderId));
            }
        }
    }

    private async Task RelayResponseAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage response, UpstreamKey key, CancellationTokenSource idle)
    {
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode && !plan.RelayAsIs)
        {
            var relayed = await UpstreamErrorResponse.BuildAsync(response, exchange.Protocol, exchange.Route!.Provider, key, idle.Token);
            exchange.StatusCode = status;
            Record(exchange, ForwardError.UpstreamStatus, relayed.Message);
            await WriteBufferedAsync(exchange, status, relayed.Body, response, relayHeaders: false);
            return;
        }
        exchange.StatusCode = status;
        if (ResponseHeaders.IsEventStream(response))
        {
            await RelayEventStreamAsync(exchange, plan.Watcher ?? new PassThroughWatcher(), response, idle);
            return;
        }
        var body = await response.Content.ReadAsByteArrayAsync(idle.Token);
        exchange.Usage = plan.BodyUsage switch
        {
            UsageFormat.ChatCompletion => UsageReader.FromChatCompletion(body),
            UsageFormat.AnthropicMessage => UsageReader.FromAnthropicMessage(body),
            _ => null,
        };
        if (!response.IsSuccessStatusCode)
        {
            exchange.Error = UpstreamErrorMessage.Extract(body, 500);
        }
        await WriteBufferedAsync(exchange, status, body, response, relayHeaders: true);
    }

    private async Task WriteBufferedAsync(ProxyExchange exchange, int status, byte[] body, HttpResponseMessage upstreamResponse, bool relayHeaders)
    {
        var response = exchange.Context.Response;
        if (relayHeaders)
        {
            ResponseHeaders.Copy(upstreamResponse, response);
        }
        else
        {
            response.ContentType = "application/json";
            if (upstreamResponse.Headers.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = retryAfter.ToString();
            }
        }
        response.StatusCode = status;
        response.ContentLength = body.Length;
        exchange.FirstByteTimestamp = time.GetTimestamp();
        await response.Body.WriteAsync(body, exchange.Aborted);
    }

    private async Task RelayEventStreamAsync(ProxyExchange exchange, IStreamWatcher watcher, HttpResponseMessage response, CancellationTokenSource idle)
    {
        var client = exchange.Context.Response;
        ResponseHeaders.Copy(response, client);
        client.StatusCode = exchange.StatusCode;
        client.Headers.CacheControl = "no-cache";
        client.Headers["X-Accel-Buffering"] = "no";
        exchange.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await using var upstreamBody = await response.Content.ReadAsStreamAsync(idle.Token);
        var (result, _) = await SseRelay.CopyAsync(upstreamBody, client.BodyWriter, watcher,
            () => exchange.FirstByteTimestamp ??= time.GetTimestamp(), idle, exchange.Route!.Provider.Timeout, idle.Token);
        exchange.Usage = watcher.Usage;
        var providerId = exchange.Route.Provider.ProviderId;
        switch (result)
        {
            case CopyResult.Success when watcher.ErrorMessage is { } upstreamError:
                Record(exchange, ForwardError.ResponseBodyUpstream, upstreamError);
                break;
            case CopyResult.Success when !watcher.Completed:
            case CopyResult.InputError:
                await FailAsync(exchange, ForwardError.ResponseBodyUpstream, GatewayMessages.StreamBroke(providerId));
                break;
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested:
                await FailAsync(exchange, ForwardError.UpstreamTimeout, GatewayMessages.Timeout(providerId, exchange.Route.Provider.Timeout));
                break;
            case CopyResult.Canceled:
            case CopyResult.OutputError:
                Record(exchange, ForwardError.ResponseBodyClient, "client closed the stream");
                break;
        }
    }

    /// <summary>
    /// The one funnel for upstream-stage failures: notes them for the log and answers the client in
    /// its protocol — a JSON error before the response started, the protocol's SSE error event after.
    /// </summary>
    private async Task FailAsync(ProxyExchange exchange, ForwardError error, string message)
    {
        Record(exchange, error, message);
        var context = exchange.Context;
        if (exchange.Aborted.IsCancellationRequested)
        {
            return;
        }
        if (!context.Response.HasStarted)
        {
            await ProtocolErrorWriter.WriteAsync(context, exchange.Protocol, exchange.StatusCode, message);
            return;
        }
        if (exchange.Stream || ResponseIsEventStream(context))
        {
            try
            {
                await context.Response.BodyWriter.WriteAsync(ProtocolErrorWriter.StreamEvent(exchange.Protocol, exchange.StatusCode, message), exchange.Aborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                Log.ClientGoneDuringError(logger, e.GetType().Name);
            }
        }
    }

    private void Record(ProxyExchange exchange, ForwardError error, string message)
    {
        exchange.StatusCode = error.StatusCode(upstreamStatus: exchange.StatusCode);
        exchange.Error = message;
        Log.ForwardFailed(logger, error, exchange.Route?.Provider.ProviderId ?? "", message);
    }

    private static bool ResponseIsEventStream(HttpContext context) =>
        context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {ProviderId} failed at {Error}: {Message}")]
        public static partial void ForwardFailed(ILogger logger, ForwardError error, string providerId, string message);

        [LoggerMessage(Level = LogLevel.Debug, Message = "The client was gone before the stream error event could be written ({Reason})")]
        public static partial void ClientGoneDuringError(ILogger logger, string reason);
    }
}
