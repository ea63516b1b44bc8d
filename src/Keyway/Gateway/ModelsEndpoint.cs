namespace Keyway.Gateway;

/// <summary>
/// GET /v1/models: the enabled aliases of the caller's group that its key may call. OpenAI's list shape by default; Anthropic's
/// (type "model", display_name, created_at, has_more, first_id, last_id), paged by limit/after_id/before_id, when the
/// request carries anthropic-version, as the Anthropic SDKs and Claude Code's model discovery do. GET /v1/models/{model}
/// is one entry of that list, as the SDKs' <c>models.retrieve</c> reads it.
/// </summary>
public static class ModelsEndpoint
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        // A catch-all segment: aliases such as "openai/gpt-4o" hold a slash. HEAD is GET without the body (Kestrel drops it).
        foreach (var (pattern, handler) in new (string, RequestDelegate)[]
            { ("/v1/models", ListAsync), ("/models", ListAsync), ("/v1/models/{**model}", RetrieveAsync), ("/models/{**model}", RetrieveAsync) })
        {
            endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], handler);
            endpoints.MapOtherMethods(pattern, "GET, HEAD", ProtocolOf);
        }
        return endpoints;
    }

    /// <summary>Anthropic's shape when the request carries anthropic-version, as the Anthropic SDKs and Claude Code send it; else OpenAI's.</summary>
    public static ClientProtocol ProtocolOf(HttpRequest request) =>
        request.Headers.ContainsKey("anthropic-version") ? ClientProtocol.AnthropicMessages : ClientProtocol.OpenAIChat;

    private static Task ListAsync(HttpContext context)
    {
        var caller = ModelsCaller.Of(context);
        if (caller.Key is null)
        {
            return caller.RefuseAsync(context);
        }
        var routes = caller.Routing.ModelsOf(caller.Key.GroupId).Where(route => caller.Key.Policy.Allows(route)).ToList();
        return caller.Protocol == ClientProtocol.AnthropicMessages
            ? WriteAnthropicPageAsync(context, routes)
            : context.Response.WriteAsJsonAsync(new OpenAIModelList("list", routes.Select(OpenAIEntry).ToList()),
                GatewayJsonContext.Default.OpenAIModelList, cancellationToken: context.RequestAborted);
    }

    /// <summary>
    /// One alias the key may call, in the caller's shape; any other is answered as OpenAI and Anthropic answer a model
    /// they do not have (https://platform.openai.com/docs/api-reference/models/retrieve,
    /// https://docs.anthropic.com/en/api/models), so a key learns no more than /v1/models shows it.
    /// </summary>
    private static Task RetrieveAsync(HttpContext context)
    {
        var caller = ModelsCaller.Of(context);
        if (caller.Key is null)
        {
            return caller.RefuseAsync(context);
        }
        // The SDKs escape a slash in a path parameter; Kestrel decodes every escape of the path but that one.
        var alias = ((string)context.Request.RouteValues["model"]!).Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var found = caller.Routing.TryGetRoute(caller.Key.GroupId, alias, out var route) && caller.Key.Policy.Allows(route);
        return (caller.Protocol, found) switch
        {
            (ClientProtocol.AnthropicMessages, true) => context.Response.WriteAsJsonAsync(
                AnthropicEntry(route), GatewayJsonContext.Default.AnthropicModel, cancellationToken: context.RequestAborted),
            (_, true) => context.Response.WriteAsJsonAsync(
                OpenAIEntry(route), GatewayJsonContext.Default.OpenAIModel, cancellationToken: context.RequestAborted),
            (ClientProtocol.AnthropicMessages, false) => ProtocolErrorWriter.WriteAsync(
                context, caller.Protocol, StatusCodes.Status404NotFound, GatewayMessages.AnthropicModelNotFound(alias)),
            _ => ProtocolErrorWriter.WriteOpenAINotFoundAsync(context, GatewayMessages.ModelDoesNotExist(alias), "model_not_found", "model"),
        };
    }

    /// <summary>Anthropic's list is paged (limit, after_id, before_id); OpenAI's has no paging, so its shape lists everything.</summary>
    private static Task WriteAnthropicPageAsync(HttpContext context, List<RouteEntry> routes)
    {
        var (page, error) = AnthropicModelPage.Of(routes, context.Request.Query);
        if (page is null)
        {
            return ProtocolErrorWriter.WriteAsync(context, ClientProtocol.AnthropicMessages, StatusCodes.Status400BadRequest, error!);
        }
        var models = page.Models;
        return context.Response.WriteAsJsonAsync(new AnthropicModelList(
            models.Select(AnthropicEntry).ToList(),
            page.HasMore, FirstId: models.Count > 0 ? models[0].Alias : null, LastId: models.Count > 0 ? models[^1].Alias : null),
            GatewayJsonContext.Default.AnthropicModelList, cancellationToken: context.RequestAborted);
    }

    private static OpenAIModel OpenAIEntry(RouteEntry route) =>
        new(route.Alias, "model", route.CreatedAt.ToUnixTimeSeconds(), route.Provider.ProviderId);

    private static AnthropicModel AnthropicEntry(RouteEntry route) =>
        new("model", route.Alias, route.Alias, route.CreatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"));

    /// <summary>
    /// Who asks: the protocol to answer in (Anthropic's when the request carries anthropic-version) and the issued key,
    /// or the reason there is none.
    /// </summary>
    private sealed record ModelsCaller(ClientProtocol Protocol, RoutingTable Routing, IssuedKeyEntry? Key, string? Error)
    {
        public static ModelsCaller Of(HttpContext context)
        {
            var routing = context.RequestServices.GetRequiredService<RoutingTableHolder>().Current;
            var protocol = ProtocolOf(context.Request);
            var outcome = context.RequestServices.GetRequiredService<KeyAuthenticator>().Authenticate(context.Request, routing);
            return new ModelsCaller(protocol, routing, outcome.Key, outcome.Error);
        }

        public Task RefuseAsync(HttpContext context) =>
            ProtocolErrorWriter.WriteAsync(context, Protocol, StatusCodes.Status401Unauthorized, Error!, "invalid_api_key");
    }
}

public sealed record OpenAIModel(string Id, string Object, long Created, string OwnedBy);

public sealed record OpenAIModelList(string Object, IReadOnlyList<OpenAIModel> Data);

public sealed record AnthropicModel(string Type, string Id, string DisplayName, string CreatedAt);

public sealed record AnthropicModelList(IReadOnlyList<AnthropicModel> Data, bool HasMore, string? FirstId, string? LastId);
