using Keyway.Configuration;

namespace Keyway.Gateway;

/// <summary>
/// A method a data-plane path does not serve (curl's GET on /v1/chat/completions, a HEAD, an OPTIONS that is no CORS
/// preflight, PUT on /v1/models): 405 with the path's methods in <c>Allow</c> (RFC 9110 §15.5.6) and a body in the path's
/// protocol, where ASP.NET's routing answered a bare 405, or the /v1 catch-all an unknown path's 404 or a pass-through.
/// Each is an endpoint at the path's own route pattern that names no method: routing prefers an endpoint naming the
/// request's method over one naming none at the same pattern, and a pattern with more literal segments over the /v1
/// catch-all, so the path's own methods are untouched. A CORS preflight never reaches one: the CORS middleware answers
/// it after routing, before any endpoint runs. No log row, like a 401 or an unknown path's 404: nothing names a key or a model yet.
/// </summary>
internal static class MethodNotAllowed
{
    /// <summary>Every method but those in <paramref name="allow"/> on <paramref name="pattern"/>, answered in <paramref name="protocol"/>.</summary>
    public static void MapOtherMethods(this IEndpointRouteBuilder endpoints, string pattern, string allow, ClientProtocol protocol) =>
        endpoints.MapOtherMethods(pattern, allow, _ => protocol);

    /// <summary>As above, the protocol chosen by the request (the models list answers either).</summary>
    public static void MapOtherMethods(this IEndpointRouteBuilder endpoints, string pattern, string allow, Func<HttpRequest, ClientProtocol> protocol) =>
        endpoints.Map(pattern, context =>
        {
            context.Response.Headers.Allow = allow;
            var message = GatewayMessages.MethodNotAllowed(context.Request.Method, context.Request.Path, allow);
            return ProtocolErrorWriter.WriteAsync(context, protocol(context.Request), StatusCodes.Status405MethodNotAllowed, message, "method_not_allowed");
        }).WithMetadata(IoThreadGuard.NonBlocking);
}
