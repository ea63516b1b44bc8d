using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// What the admin API and the gateway do while a lock held outside Keyway blocks writes (a SQLite file, PostgreSQL
/// tables): each write answers 503 with Retry-After within the request's time limit, reads and the data plane serve.
/// </summary>
internal static class LockedDatabaseExpectations
{
    // Only a guard against a hang: without the limit a blocked write waited for as long as the lock was held.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    public static async Task AssertWritesRefused_ReadsAndTheDataPlaneServeAsync(GatewayTestBed bed, string lockedDetail)
    {
        var writes = new (HttpMethod Method, string Path, JsonObject Body)[]
        {
            (HttpMethod.Post, "admin/llm/groups", new JsonObject { ["group_id"] = "locked", ["name"] = "Locked" }),
            (HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "locked" }),
            (HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
            {
                ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = "sk-locked-a-0123456789" }),
            }),
        };
        foreach (var (method, path, body) in writes)
        {
            var reply = await AdminApi.SendAsync(bed.Admin, method, path, body).WaitAsync(Guard);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
            Assert.Equal(lockedDetail, reply.Body.GetProperty("detail").GetString());
            Assert.Equal("1", reply.Response.Headers.RetryAfter?.ToString());
        }
        var groups = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups").WaitAsync(Guard);
        Assert.DoesNotContain(groups.GetProperty("groups").EnumerateArray(), group => group.GetProperty("group_id").GetString() == "locked");
        using var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat).WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }
}
