using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// A route created under a group's unified alias and that unified alias set, sent at the same moment: whichever comes
/// second must be refused, or the route silently takes the alias on the data plane while the unified setting names
/// another route. Many groups race at once, round after round, so the two checks interleave with the two writes somewhere.
/// </summary>
public sealed class UnifiedAliasRaceTests
{
    private const int RacingGroups = 24;
    private const int Rounds = 10;
    private const string Alias = "unified-model";

    [Fact]
    public async Task RouteCreateAndUnifiedPut_OfOneAlias_AtOnce_ExactlyOneOfThemWins()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var groupIds = Enumerable.Range(0, RacingGroups).Select(i => $"race-{i}").ToList();
        foreach (var groupId in groupIds)
        {
            await AdminApi.CreateGroupAsync(server.Admin, groupId);
            await AdminApi.CreateProviderAsync(server.Admin, groupId, $"{groupId}-p", "http://127.0.0.1:1/v1");
            await AdminApi.CreateRouteAsync(server.Admin, groupId, "chat", $"{groupId}-p", "m");
        }

        for (var round = 0; round < Rounds; round++)
        {
            var races = await Task.WhenAll(groupIds.Select(groupId => RaceAsync(server.Admin, groupId)));

            foreach (var (groupId, route, unified) in races)
            {
                var (winner, loser) = route.Status == HttpStatusCode.OK ? (route, unified) : (unified, route);
                Assert.True(winner.Status == HttpStatusCode.OK, $"{groupId}: neither won: {route.Body} / {unified.Body}");
                AdminApi.AssertError(loser, HttpStatusCode.Conflict, $"alias '{Alias}' already exists in group '{groupId}'");
                await ReleaseAliasAsync(server.Admin, groupId, route);
            }
        }
    }

    private static async Task<(string GroupId, AdminApi.Reply Route, AdminApi.Reply Unified)> RaceAsync(HttpClient admin, string groupId)
    {
        var route = AdminApi.PostAsync(admin, $"admin/llm/groups/{groupId}/routes",
            new JsonObject { ["alias"] = Alias, ["provider_id"] = $"{groupId}-p", ["upstream_model"] = "m2" });
        var unified = AdminApi.SendAsync(admin, HttpMethod.Put, $"admin/llm/groups/{groupId}/unified",
            new JsonObject { ["alias"] = Alias, ["route_alias"] = "chat" });
        return (groupId, await route, await unified);
    }

    private static async Task ReleaseAliasAsync(HttpClient admin, string groupId, AdminApi.Reply route)
    {
        await AdminApi.OkAsync(admin, HttpMethod.Delete, $"admin/llm/groups/{groupId}/unified");
        if (route.Status == HttpStatusCode.OK)
        {
            await AdminApi.OkAsync(admin, HttpMethod.Delete, $"admin/llm/routes/{route.Body.GetProperty("route").GetProperty("route_id").GetString()}");
        }
    }
}
