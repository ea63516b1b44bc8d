using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>Admin-API helpers for the web-search tests: a Tavily tool provider pointing at a <see cref="FakeTavily"/>.</summary>
public static class WebSearchSetup
{
    public static Task<JsonElement> CreateTavilyAsync(HttpClient admin, string groupId, FakeTavily tavily, string toolId = "tavily", bool enabled = true) =>
        AdminApi.OkAsync(admin, HttpMethod.Post, $"admin/llm/groups/{groupId}/tool-providers", new JsonObject
        {
            ["tool_id"] = toolId,
            ["name"] = "Tavily",
            ["kind"] = "tavily",
            ["api_key"] = FakeTavily.ApiKey,
            ["config"] = new JsonObject { ["base_url"] = tavily.BaseAddress.ToString() },
            ["enabled"] = enabled,
        });
}
