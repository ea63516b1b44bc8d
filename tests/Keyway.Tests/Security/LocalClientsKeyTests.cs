using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Policy;

namespace Keyway.Tests.Security;

/// <summary>
/// KEYWAY_LOCAL_CLIENTS_KEY (AMKR's empty local_api_key): a request from this machine presenting no key, or a key Keyway
/// does not know, is served as that issued key; from elsewhere (here a client a trusted proxy forwards) it is refused.
/// </summary>
public sealed class LocalClientsKeyTests
{
    private const string KeyName = "local";

    private static async Task<(KeywayServer Server, FakeUpstream Upstream, TempDirectory Dir)> StartAsync(string? localClientsKey)
    {
        var dir = new TempDirectory();
        var upstream = await FakeUpstream.StartAsync();
        var server = await KeywayServer.StartAsync(dir.Path, options => options with { LocalClientsKey = localClientsKey, TrustedProxies = [IPNetwork.Parse("127.0.0.1/32")] });
        await AdminApi.CreateProviderAsync(server.Admin, "default", "fake", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(server.Admin, "default", GatewayTestBed.OpenAIAlias, "fake", GatewayTestBed.OpenAIModel);
        await AdminApi.CreateKeyAsync(server.Admin, "default", KeyName);
        return (server, upstream, dir);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-whatever-the-client-needs-to-send")]
    public async Task ALocalRequestWithoutAKnownKey_IsServedAsTheLocalClientsKey(string? presented)
    {
        var (server, upstream, dir) = await StartAsync($"default/{KeyName}");
        await using var _ = server;
        await using var __ = upstream;
        using var ___ = dir;
        using var client = presented is null ? new HttpClient { BaseAddress = server.BaseAddress } : server.ClientWithKey(presented);

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(client));

        var keys = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/keys");
        var local = keys.GetProperty("keys").EnumerateArray().Single(key => key.GetProperty("name").GetString() == KeyName);
        var log = (await AdminApi.WaitForLogsAsync(server.Admin, 1))[0];
        Assert.Equal(local.GetProperty("key_id").GetString(), log.GetProperty("api_key_id").GetString());
    }

    [Fact]
    public async Task ARequestFromElsewhere_StillNeedsAKey()
    {
        var (server, upstream, dir) = await StartAsync($"default/{KeyName}");
        await using var _ = server;
        await using var __ = upstream;
        using var ___ = dir;
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        using var refused = await KeyPolicyBed.ChatAsync(client);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(0, upstream.RequestCount);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("default/no-such-key")]
    public async Task WithoutALocalClientsKey_ALocalRequestWithoutAKeyIsRefused(string? localClientsKey)
    {
        var (server, upstream, dir) = await StartAsync(localClientsKey);
        await using var _ = server;
        await using var __ = upstream;
        using var ___ = dir;
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        Assert.Equal(401, await KeyPolicyBed.ChatStatusAsync(client));
        Assert.Equal(0, upstream.RequestCount);
    }
}
