using System.Globalization;
using Keyway.Protocols.Translation.ResponsesChat;
using Microsoft.AspNetCore.Http.Features;

namespace Keyway.Gateway;

/// <summary>
/// The responses Keyway stored (<see cref="StoredResponses"/>), read back as OpenAI serves its own:
/// <c>GET /v1/responses/{id}</c> (https://platform.openai.com/docs/api-reference/responses/get),
/// <c>DELETE /v1/responses/{id}</c> (…/responses/delete) and <c>GET /v1/responses/{id}/input_items</c>
/// (…/responses/input-items), for the issued key that stored them. Any other id — not stored by Keyway, stored for
/// another key, expired, deleted — is OpenAI's 404 for a response it does not have, except a delete with a body: that
/// names a model, and goes the generic pass-through (a Responses upstream keeps its own responses). Only under /v1, like
/// that catch-all.
/// </summary>
internal static class StoredResponsesEndpoint
{
    private const int DefaultItemLimit = 20;
    private const int MaxItemLimit = 100;

    public static void MapStoredResponses(this IEndpointRouteBuilder endpoints, Lazy<ProxyForwarder> forwarder)
    {
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapMethods("/v1/responses/{responseId}", read, context =>
            AnswerStoredAsync(context, ResponseIdOf(context), turn => ResponsesConversation.Response(turn)));
        endpoints.MapMethods("/v1/responses/{responseId}/input_items", read, context => InputItemsAsync(context, ResponseIdOf(context)));
        endpoints.MapDelete("/v1/responses/{responseId}", context => DeleteAsync(context, ResponseIdOf(context), forwarder));
        endpoints.MapOtherMethods("/v1/responses/{responseId}", "GET, HEAD, DELETE", ClientProtocol.OpenAIResponses);
        endpoints.MapOtherMethods("/v1/responses/{responseId}/input_items", "GET, HEAD", ClientProtocol.OpenAIResponses);
    }

    private static string ResponseIdOf(HttpContext context) => (string)context.Request.RouteValues["responseId"]!;

    private static async Task InputItemsAsync(HttpContext context, string responseId)
    {
        var query = context.Request.Query;
        var limit = DefaultItemLimit;
        if (query["limit"] is { Count: > 0 } limitText
            && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxItemLimit))
        {
            await InvalidQueryAsync(context, $"Invalid 'limit': an integer from 1 to {MaxItemLimit} is expected.", "limit");
            return;
        }
        var order = query["order"].ToString();
        if (order is not ("" or "asc" or "desc"))
        {
            await InvalidQueryAsync(context, "Invalid 'order': 'asc' or 'desc' is expected.", "order");
            return;
        }
        string? after = query["after"] is { Count: > 0 } afterText ? afterText.ToString() : null;
        await AnswerStoredAsync(context, responseId, turn => ResponsesConversation.InputItemsPage(turn, limit, ascending: order == "asc", after));
    }

    /// <summary>
    /// The key's stored response, deleted; else a body-less delete (what <c>client.responses.delete(id)</c> sends) is the
    /// 404 of a response Keyway does not have, and one with a body the pass-through, routed by the body's model.
    /// </summary>
    private static async Task DeleteAsync(HttpContext context, string responseId, Lazy<ProxyForwarder> forwarder)
    {
        if (await AuthenticateAsync(context) is not { } key)
        {
            return;
        }
        if (await context.RequestServices.GetRequiredService<StoredResponses>().DeleteAsync(key, responseId, context.RequestAborted))
        {
            await context.Response.WriteAsJsonAsync(
                new DeletedResponse(responseId, "response", true), GatewayJsonContext.Default.DeletedResponse, cancellationToken: context.RequestAborted);
            return;
        }
        if (await HasNoBodyAsync(context.Request, context.RequestAborted))
        {
            await NotFoundAsync(context, responseId);
            return;
        }
        await forwarder.Value.ForwardPassThroughAsync(context, PassThroughSurface.Generic);
    }

    /// <summary>Answers <paramref name="render"/> of the key's stored turn, or OpenAI's 404 for a response it does not have.</summary>
    private static async Task AnswerStoredAsync(HttpContext context, string responseId, Func<string, byte[]> render)
    {
        if (await AuthenticateAsync(context) is not { } key)
        {
            return;
        }
        if (await context.RequestServices.GetRequiredService<StoredResponses>().GetAsync(key, responseId, context.RequestAborted) is not { } turn)
        {
            await NotFoundAsync(context, responseId);
            return;
        }
        var body = render(turn);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The issued key, or null once the 401 is written.</summary>
    private static async Task<IssuedKeyEntry?> AuthenticateAsync(HttpContext context)
    {
        var outcome = context.RequestServices.GetRequiredService<KeyAuthenticator>()
            .Authenticate(context.Request, context.RequestServices.GetRequiredService<RoutingTableHolder>().Current);
        if (outcome.Key is null)
        {
            await ProtocolErrorWriter.WriteAsync(context, ClientProtocol.OpenAIChat, StatusCodes.Status401Unauthorized, outcome.Error!, "invalid_api_key");
        }
        return outcome.Key;
    }

    /// <summary>
    /// Nothing to read: Kestrel knows it (no Content-Length or 0, and not chunked), or a chunked body ends before its
    /// first byte, which is no body either. A body's first bytes stay unread for the pass-through.
    /// </summary>
    private static async Task<bool> HasNoBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return true;
        }
        if (request.ContentLength is not null)
        {
            return false;
        }
        var read = await request.BodyReader.ReadAsync(cancellationToken);
        request.BodyReader.AdvanceTo(read.Buffer.Start);
        return read.Buffer.IsEmpty && read.IsCompleted;
    }

    private static Task NotFoundAsync(HttpContext context, string responseId) =>
        ProtocolErrorWriter.WriteOpenAINotFoundAsync(context, GatewayMessages.ResponseNotFound(responseId));

    private static Task InvalidQueryAsync(HttpContext context, string message, string param) =>
        ProtocolErrorWriter.WriteAsync(context, ClientProtocol.OpenAIChat, StatusCodes.Status400BadRequest, message, param: param);
}
