using System.Net;
using System.Text.Json.Nodes;
using Keyway.Admin;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// The admin API while another process holds the SQLite file locked (<c>sqlite3 keyway.db 'BEGIN EXCLUSIVE;'</c>):
/// every write answers 503 within one time limit for the whole request, shortened here from 30 s to 1 s.
/// </summary>
[Trait("Storage", "SqliteFile")]
public sealed class DatabaseLockedAdminTests
{
    // Only a guard against a hang: without the limit a plain INSERT retried for as long as the lock was held.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AdminWrites_WhileTheFileIsLocked_Answer503Locked_ReadsAndTheDataPlaneKeepServing()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { AdminDatabaseTimeout = TimeSpan.FromSeconds(1) });
        await using var holder = await SqliteFileLock.HoldAsync(bed.Server.Options.DatabasePath);

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
            Assert.Equal(AdminErrors.DatabaseLocked, reply.Body.GetProperty("detail").GetString());
            Assert.Equal("1", reply.Response.Headers.RetryAfter?.ToString());
        }
        var groups = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups").WaitAsync(Guard);
        Assert.DoesNotContain(groups.GetProperty("groups").EnumerateArray(), group => group.GetProperty("group_id").GetString() == "locked");
        using (var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat).WaitAsync(Guard))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        await holder.ReleaseAsync();

        await AdminApi.CreateGroupAsync(bed.Admin, "locked");
    }
}
