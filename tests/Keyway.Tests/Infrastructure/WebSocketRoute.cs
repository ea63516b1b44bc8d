using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>An openai-responses provider with the <c>websocket</c> flag set as asked, and one route of the default group to it.</summary>
public static class WebSocketRoute
{
    public static async Task AddAsync(HttpClient admin, string providerId, Uri upstreamBase, bool websocket, string alias, string upstreamModel)
    {
        await AdminApi.CreateProviderAsync(admin, "default", providerId, new Uri(upstreamBase, "v1").ToString(), "openai-responses");
        await AdminApi.OkAsync(admin, HttpMethod.Patch, $"admin/llm/providers/{providerId}", new JsonObject { ["websocket"] = websocket });
        await AdminApi.CreateRouteAsync(admin, "default", alias, providerId, upstreamModel);
    }
}
