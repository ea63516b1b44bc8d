using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// A vendor's secret header in a provider's extra_headers is treated as an upstream key: sealed in the database, masked
/// in admin reads, sent to the upstream in full, and kept when an admin read is sent back (admin UI, export → apply).
/// </summary>
public sealed class ProviderExtraHeadersTests
{
    private const string VendorSecret = "vendor-secret-0123456789";
    private const string VendorSecretMask = "ven…6789";

    [Fact]
    public async Task SecretHeader_IsSealedAtRest_ShownMasked_SentInFull_AndKeptWhenTheMaskComesBack()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var providerPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";

        var patched = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath,
            new JsonObject { ["extra_headers"] = new JsonObject { ["X-Vendor-Token"] = VendorSecret } });

        Assert.Equal(VendorSecretMask, patched.GetProperty("provider").GetProperty("extra_headers").GetProperty("X-Vendor-Token").GetString());
        Assert.DoesNotContain(VendorSecret, await StoredExtraHeadersAsync(bed.Server));
        Assert.Equal(VendorSecret, await HeaderReceivedUpstreamAsync(bed));

        var read = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, providerPath);
        var roundTrip = JsonNode.Parse(read.GetProperty("provider").GetProperty("extra_headers").GetRawText())!.AsObject();
        roundTrip["X-Title"] = "keyway";
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath, new JsonObject { ["extra_headers"] = roundTrip, ["note"] = "edited" });

        Assert.Equal(VendorSecret, await HeaderReceivedUpstreamAsync(bed));
        var strangeMask = await AdminApi.PatchAsync(bed.Admin, providerPath,
            new JsonObject { ["extra_headers"] = new JsonObject { ["X-Other-Token"] = VendorSecretMask } });
        AdminApi.AssertError(strangeMask, HttpStatusCode.BadRequest,
            $"extra_headers.X-Other-Token is a masked value ({VendorSecretMask}) that matches no stored value of that header: send the value itself",
            "extra_headers");
    }

    [Fact]
    public async Task PlainRowOfAnOlderVersion_ReachesTheUpstream_AndIsSealedAtTheNextStart()
    {
        using var dir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        await using (var first = await KeywayServer.StartAsync(dir.Path))
        {
            await AdminApi.CreateProviderAsync(first.Admin, "default", "p", new Uri(upstream.BaseAddress, "v1").ToString());
            await AdminApi.CreateRouteAsync(first.Admin, "default", GatewayTestBed.OpenAIAlias, "p", GatewayTestBed.OpenAIModel);
            await first.WithDatabaseAsync(connection => connection.ExecuteAsync(
                "UPDATE providers SET extra_headers = @Plain", new { Plain = $$"""{"X-Vendor-Token":"{{VendorSecret}}"}""" }));
        }

        await using var second = await KeywayServer.StartAsync(dir.Path);

        Assert.DoesNotContain(VendorSecret, await StoredExtraHeadersAsync(second));
        var key = await AdminApi.CreateKeyAsync(second.Admin, "default");
        using var client = second.ClientWithKey(key);
        using var chat = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(GatewayTestBed.OpenAIChat));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(VendorSecret, upstream.Requests[^1].Headers["X-Vendor-Token"]);
    }

    [Fact]
    public async Task ExtraHeader_ReplacesTheClientsAnthropicHeaderOfThatName_AndAnEmptyValueDropsIt()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var providerPath = $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}";

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath, new JsonObject
        {
            ["extra_headers"] = new JsonObject { ["anthropic-beta"] = "prompt-caching-2024-07-31", ["anthropic-version"] = "2023-06-01" },
        });
        var replaced = await AnthropicHeadersReceivedUpstreamAsync(bed);
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath,
            new JsonObject { ["extra_headers"] = new JsonObject { ["anthropic-beta"] = "" } });
        var dropped = await AnthropicHeadersReceivedUpstreamAsync(bed);

        Assert.Equal("prompt-caching-2024-07-31", replaced["anthropic-beta"]);
        Assert.Equal("2023-06-01", replaced["anthropic-version"]);
        Assert.False(dropped.ContainsKey("anthropic-beta"));
        Assert.Equal("2023-06-01", dropped["anthropic-version"]);
    }

    /// <summary>
    /// Headers the HTTP stack owns (framing, connection, the body's own) break every request as extra headers: .NET
    /// refuses a body header on a request ("Misused header name", a bare 500 for every call), the others would frame or
    /// route the request wrongly. The admin API refuses them when they are written.
    /// </summary>
    [Theory]
    [InlineData("Content-Length")]
    [InlineData("content-type")]
    [InlineData("Host")]
    [InlineData("Connection")]
    [InlineData("Upgrade")]
    [InlineData("Expect")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Keep-Alive")]
    [InlineData("Proxy-Authorization")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("Content-Encoding")]
    public async Task AHeaderTheHttpStackOwns_IsRefusedAsAnExtraHeader(string name)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var refused = await AdminApi.PatchAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}",
            new JsonObject { ["extra_headers"] = new JsonObject { [name] = "x", ["X-Title"] = "keyway" } });
        var created = await AdminApi.PostAsync(bed.Admin, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "other",
            ["name"] = "other",
            ["base_url"] = "http://127.0.0.1:9/v1",
            ["api_key"] = "sk-other-0123456789",
            ["extra_headers"] = new JsonObject { [name] = "" },
        });

        var detail = $"extra_headers.{name} cannot be set: the HTTP client writes it for each request (connection, framing and body headers are not extra headers)";
        AdminApi.AssertError(refused, HttpStatusCode.BadRequest, detail, "extra_headers");
        AdminApi.AssertError(created, HttpStatusCode.BadRequest, detail, "extra_headers");
    }

    /// <summary>A row stored before the refusal existed: the header is left out (one warning), the provider serves.</summary>
    [Fact]
    public async Task AStoredHeaderTheHttpStackOwns_IsLeftOut_AndTheProviderStillServes()
    {
        var log = new CapturedLog();
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<ILoggerProvider>(log));
        await bed.Server.WithDatabaseAsync(connection => connection.ExecuteAsync(
            "UPDATE providers SET extra_headers = @Plain WHERE provider_id = @Id",
            new { Plain = """{"Content-Length":"x","X-Title":"kept"}""", Id = GatewayTestBed.OpenAIProvider }));
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}", new JsonObject { ["note"] = "reload" });

        using var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("kept", bed.Upstream.Last.Headers["X-Title"]);
        Assert.Single(log.Text.Split('\n'), line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Content-Length", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyDictionary<string, string>> AnthropicHeadersReceivedUpstreamAsync(GatewayTestBed bed)
    {
        using var messages = await bed.PostAsync("v1/messages",
            """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", "advisor-tool-2026-03-01"));
        Assert.Equal(HttpStatusCode.OK, messages.StatusCode);
        return bed.Upstream.Last.Headers;
    }

    private static Task<string> StoredExtraHeadersAsync(KeywayServer server) =>
        server.WithDatabaseAsync(async connection => string.Join("\n", await connection.QueryAsync<string>("SELECT extra_headers FROM providers")));

    private static async Task<string> HeaderReceivedUpstreamAsync(GatewayTestBed bed)
    {
        using var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        return bed.Upstream.Requests[^1].Headers["X-Vendor-Token"];
    }
}
