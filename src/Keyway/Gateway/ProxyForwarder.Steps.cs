using Keyway.Configuration;
using Keyway.Protocols;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation;

namespace Keyway.Gateway;

/// <summary>The steps before anything is sent upstream; each writes its own error in the caller's protocol.</summary>
public sealed partial class ProxyForwarder
{
    /// <summary>The client's body and what its scan found; the body's array goes back to its pool with the request.</summary>
    private sealed record ParsedRequest(LeasedBytes Buffer, RequestBodyParse Parsed) : IRoutedRequest, IDisposable
    {
        public string Model => Parsed.Model!;

        public ReadOnlyMemory<byte> Body => Buffer.Memory;

        /// <summary>
        /// The body for a target: its model, and when asked the stream's usage option, spliced in without a copy. A body
        /// whose protocol the upstream speaks (<paramref name="sameProtocol"/>) loses what it would refuse (see
        /// <see cref="RequestBody.Edit"/>): an Anthropic body the unsigned thinking blocks, a Chat body Keyway's <c>thinking_blocks</c>.
        /// </summary>
        public UpstreamBody EditedFor(string upstreamModel, bool injectUsage, WireFormat? sameProtocol = null) =>
            UpstreamBody.Edited(Buffer, RequestBody.Edit(
                Body, Parsed, upstreamModel, injectUsage,
                dropUnsignedThinking: sameProtocol == WireFormat.AnthropicMessages, dropThinkingBlocks: sameProtocol == WireFormat.OpenAIChat));

        public void Dispose() => Buffer.Dispose();
    }

    private async Task<bool> AuthenticateAsync(ProxyExchange exchange)
    {
        var outcome = authenticator.Authenticate(exchange.Context.Request, routing.Current);
        if (outcome.Key is null)
        {
            await ProtocolErrorWriter.WriteAsync(exchange.Context, exchange.Protocol, StatusCodes.Status401Unauthorized, outcome.Error!, "invalid_api_key");
            return false;
        }
        exchange.Key = outcome.Key;
        keyUsage.Touch(outcome.Key.KeyId, time.GetUtcNow());
        return true;
    }

    private async Task<ParsedRequest?> ReadRequestAsync(ProxyExchange exchange)
    {
        if (RequestBodyReader.EncodingOf(exchange.Context.Request) is { } encoding)
        {
            await RejectAsync(exchange, StatusCodes.Status415UnsupportedMediaType, GatewayMessages.EncodedBody(encoding));
            return null;
        }
        LeasedBytes body;
        try
        {
            body = await RequestBodyReader.ReadAsync(exchange.Context.Request, exchange.Aborted);
        }
        catch (Exception e) when (ClientLeftDuringBody(exchange, e))
        {
            NoteClientLeftDuringBody(exchange);
            return null;
        }
        catch (BadHttpRequestException e)
        {
            await RejectUnreadableBodyAsync(exchange, e);
            return null;
        }
        if (IoThreadGuard.ShouldLeaveWith(exchange.Context, body.Memory.Length))
        {
            await Task.Yield();
        }
        var parsed = RequestBody.Parse(body.Memory);
        var error = parsed.Status switch
        {
            RequestBodyStatus.InvalidJson when body.Memory.IsEmpty => GatewayMessages.NoBody(exchange.Context.Request.Method, exchange.Context.Request.Path),
            RequestBodyStatus.InvalidJson => GatewayMessages.InvalidJson,
            RequestBodyStatus.NotAnObject => GatewayMessages.NotAnObject,
            RequestBodyStatus.TooDeep => GatewayMessages.TooDeep,
            _ when parsed.Model is null => parsed.ModelRepeated ? GatewayMessages.RepeatedModel
                : parsed.ModelIsNotAString(body.Memory.Span) ? GatewayMessages.ModelNotAString : GatewayMessages.MissingModel,
            _ => null,
        };
        if (error is not null)
        {
            body.Dispose();
            await RejectAsync(exchange, StatusCodes.Status400BadRequest, error);
            return null;
        }
        return new ParsedRequest(body, parsed);
    }

    /// <summary>
    /// The alias, or <c>alias[key-name]</c> to pin one upstream key; a key name no target's pool has is as unknown as
    /// an unknown alias (the answer names what the client wrote and never lists keys).
    /// </summary>
    private async Task<bool> ResolveRouteAsync(ProxyExchange exchange, string model)
    {
        var groupId = exchange.Key!.GroupId;
        var table = routing.Current;
        var (alias, pinnedKey) = table.TryGetRoute(groupId, model, out _) ? (model, null) : PinnedModel.Parse(model);
        if (table.TryGetRoute(groupId, alias, out var route)
            && (pinnedKey is null || route.Targets.Any(target => target.Provider.Keys.Any(key => key.Name == pinnedKey))))
        {
            exchange.Route = route;
            exchange.PinnedKeyName = pinnedKey;
            return true;
        }
        await RejectAsync(exchange, StatusCodes.Status404NotFound, GatewayMessages.ModelNotFound(model, groupId), "model_not_found");
        return false;
    }

    /// <summary>
    /// A route limited to some paths (allowed_paths) answers any other with 403, before anything is sent. A path an
    /// upstream could read as another (<see cref="ForwardedPath"/>) is first refused as OpenAI refuses a path it does not
    /// have, whatever the route allows.
    /// </summary>
    private static async Task<bool> RequireAllowedPathAsync(ProxyExchange exchange)
    {
        var request = exchange.Context.Request;
        var path = request.Path.Value ?? "";
        if (ForwardedPath.IsAmbiguous(path))
        {
            await RejectAsync(exchange, StatusCodes.Status404NotFound, GatewayMessages.AmbiguousPath(request.Method, path), "unknown_url");
            return false;
        }
        var prefixed = PathGlob.Versioned(request.Path);
        if (exchange.Route!.Allows(prefixed))
        {
            return true;
        }
        await RejectAsync(exchange, StatusCodes.Status403Forbidden, GatewayMessages.PathNotAllowed(exchange.Route.Alias, prefixed), "path_not_allowed");
        return false;
    }

    /// <summary>
    /// Kestrel's message (<c>RequestRejectionReason.UnexpectedEndOfRequestContent</c>) for a body cut short. The message is
    /// the only sign that is there when the exception is: the reason is internal to Kestrel (BadHttpRequestException has
    /// only StatusCode public), and the request's abort, though Kestrel decides on it before it throws, is cancelled
    /// from a thread-pool work item that may not have run yet (without the message, ClientResetTests' Content-Length close
    /// was logged 400 in one run of two). ClientResetTests pins the message for each framing.
    /// </summary>
    private const string EndedBodyMessage = "Unexpected end of request content";

    /// <summary>
    /// The client is gone before its body was whole: a reset arrives as Kestrel's ConnectionResetException or the
    /// request's cancellation, a close as Kestrel's 400 "Unexpected end of request
    /// content" (its connection is closed after it, so the client never sees that 400; the request's abort may come
    /// just after the exception). Nobody is left to answer; the row says 499 instead of a status of 0 beside a stack
    /// trace, or a 400. A 413 or 408, and a 400 for a malformed chunk, stay Kestrel's own refusal.
    /// </summary>
    private static bool ClientLeftDuringBody(ProxyExchange exchange, Exception exception) => exception switch
    {
        BadHttpRequestException refused => refused.StatusCode == StatusCodes.Status400BadRequest
            && (exchange.Aborted.IsCancellationRequested || refused.Message.StartsWith(EndedBodyMessage, StringComparison.Ordinal)),
        Microsoft.AspNetCore.Connections.ConnectionResetException or OperationCanceledException => true,
        IOException => exchange.Aborted.IsCancellationRequested, // not a multipart reader's own "Unexpected end of Stream"
        _ => false,
    };

    private static void NoteClientLeftDuringBody(ProxyExchange exchange)
    {
        exchange.StatusCode = StatusCodes.Status499ClientClosedRequest;
        exchange.Error = "client closed the connection while its request body was read";
        exchange.LastError = ForwardError.ClientCanceled;
    }

    /// <summary>
    /// Kestrel refused the body: too large (413), or too slow for the minimum data rate (408, the connection is already
    /// cut, so only the log row sees the answer). Either way the caller's fault, answered in its protocol.
    /// </summary>
    private static Task RejectUnreadableBodyAsync(ProxyExchange exchange, BadHttpRequestException exception)
    {
        if (!RequestBodyReader.IsTooLarge(exception))
        {
            return RejectAsync(exchange, exception.StatusCode, GatewayMessages.UnreadableBody(exception.Message));
        }
        var limit = exchange.Context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
        return RejectAsync(exchange, StatusCodes.Status413PayloadTooLarge, GatewayMessages.BodyTooLarge(limit));
    }

    /// <summary>Answers an error before the response started, and notes it for the log row.</summary>
    private static Task RejectAsync(ProxyExchange exchange, int status, string message, string? code = null, string? param = null)
    {
        exchange.StatusCode = status;
        exchange.Error = message;
        return ProtocolErrorWriter.WriteAsync(exchange.Context, exchange.Protocol, status, message, code, param);
    }
}
