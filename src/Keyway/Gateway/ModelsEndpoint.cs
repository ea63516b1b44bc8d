namespace Keyway.Gateway;

/// <summary>
/// GET /v1/models: the enabled aliases of the caller's group that its key may call. OpenAI's list shape by default; Anthropic's
/// (type "model", display_name, created_at, has_more, first_id, last_id), paged by limit/after_id/before_id, when the
/// request carries anthropic-version, as the Anthropic SDKs and Claude Code's model discovery do.
/// </summary>
public static class ModelsEndpoint
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", ListAsync);
        endpoints.MapGet("/models", ListAsync);
        return endpoints;
    }

    private static Task ListAsync(HttpContext context)
    {
        var routing = context.RequestServices.GetRequiredService<RoutingTableHolder>().Current;
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version");
        var protocol = anthropic ? ClientProtocol.AnthropicMessages : ClientProtocol.OpenAIChat;
        var outcome = GatewayAuth.Authenticate(context.Request, routing, time.GetUtcNow());
        if (outcome.Key is null)
        {
            return ProtocolErrorWriter.WriteAsync(context, protocol, StatusCodes.Status401Unauthorized, outcome.Error!, "invalid_api_key");
        }
        var policy = outcome.Key.Policy;
        var routes = routing.ModelsOf(outcome.Key.GroupId).Where(route => policy.Allows(route)).ToList();
        return anthropic
            ? WriteAnthropicPageAsync(context, routes)
            : context.Response.WriteAsJsonAsync(new OpenAIModelList(
                "list",
                routes.Select(r => new OpenAIModel(r.Alias, "model", r.CreatedAt.ToUnixTimeSeconds(), r.Provider.ProviderId)).ToList()),
                GatewayJsonContext.Default.OpenAIModelList, cancellationToken: context.RequestAborted);
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
            models.Select(r => new AnthropicModel("model", r.Alias, r.Alias, r.CreatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"))).ToList(),
            page.HasMore, FirstId: models.Count > 0 ? models[0].Alias : null, LastId: models.Count > 0 ? models[^1].Alias : null),
            GatewayJsonContext.Default.AnthropicModelList, cancellationToken: context.RequestAborted);
    }
}

public sealed record OpenAIModel(string Id, string Object, long Created, string OwnedBy);

public sealed record OpenAIModelList(string Object, IReadOnlyList<OpenAIModel> Data);

public sealed record AnthropicModel(string Type, string Id, string DisplayName, string CreatedAt);

public sealed record AnthropicModelList(IReadOnlyList<AnthropicModel> Data, bool HasMore, string? FirstId, string? LastId);
