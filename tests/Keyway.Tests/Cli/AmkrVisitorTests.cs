using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Keyway.Cli.Import;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// import amkr: AMKR's visitor key calls a model only by its visitor name amkr-{id} (or its id when that starts with
/// amkr-), served by the keys that allow visitors, and is refused the model's id and aliases (visitor.py, key_pool.py
/// _visitor_routes, proxy_handler.py at LiveSirius/auto-model-key-router 58fb6f8c7b2c03b71fcb17fb137c9f92b6175501).
/// </summary>
public sealed class AmkrVisitorTests
{
    private const string LocalKey = "db_sk_amkr-visitor-local-0123456789";

    private const string Config = """
        {
          "default_base_url": "UPSTREAM",
          "local_api_key": "LOCAL_KEY",
          "models": [
            {
              "id": "gpt-4o-mini",
              "aliases": ["fast"],
              "keys": [
                {"name": "main", "api_key": "sk-main-0123456789"},
                {"name": "guest", "api_key": "sk-guest-0123456789", "allow_visitor": true}
              ]
            },
            {"id": "amkr-own", "keys": [{"name": "shared", "api_key": "sk-shared-0123456789", "allow_visitor": true}]},
            {"id": "closed", "keys": [{"name": "private", "api_key": "sk-private-0123456789"}]}
          ]
        }
        """;

    [Fact]
    public void AModelWithVisitorKeys_GetsItsVisitorNameAsTheOneRouteOpenToVisitors()
    {
        var (document, _) = AmkrConfigReader.Read(Config, "default");

        var routes = document["groups"]![0]!["routes"]!.AsArray().Select(r => $"{r!["alias"]}→{r["provider_id"]}:{r["allow_visitors"]}");
        Assert.Equal(
            ["gpt-4o-mini→amkr-gpt-4o-mini:false", "fast→amkr-gpt-4o-mini:false", "amkr-own→amkr-amkr-own:true", "closed→amkr-closed:false",
             "amkr-gpt-4o-mini→amkr-gpt-4o-mini:true"],
            routes);
    }

    [Fact]
    public void AVisitorNameThatIsAnotherModelsName_IsReported()
    {
        var (document, skipped) = AmkrConfigReader.Read(Config.Replace("\"aliases\": [\"fast\"]", "\"aliases\": [\"amkr-closed\"]").Replace("\"sk-private-0123456789\"", "\"sk-private-0123456789\", \"allow_visitor\": true"), "default");

        Assert.Single(document["groups"]![0]!["routes"]!.AsArray(), r => r!["alias"]!.ToString() == "amkr-closed");
        Assert.Contains("model closed: AMKR's visitors call it amkr-closed, which here is another route's name, so no route serves it to visitor keys", skipped);
    }

    [Fact]
    public async Task TheVisitorKey_CallsTheVisitorNamesWithTheKeysThatAllowVisitors_AndNotTheModelsNames()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var amkr = await AmkrGateway.StartAsync(Config.Replace("UPSTREAM", upstream.BaseAddress.ToString()).Replace("LOCAL_KEY", LocalKey));
        var report = await amkr.ImportAsync();
        var visitorKey = report.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)
            .Single(n => n.StartsWith("key default/amkr visitor: ")).Split(' ')[3];

        Assert.Equal(HttpStatusCode.OK, await amkr.ChatAsync(visitorKey, "amkr-gpt-4o-mini"));
        Assert.Equal("sk-guest-0123456789", upstream.Last.UpstreamKey);
        Assert.Equal(HttpStatusCode.Forbidden, await amkr.ChatAsync(visitorKey, "gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.Forbidden, await amkr.ChatAsync(visitorKey, "fast"));
        Assert.Equal(["amkr-gpt-4o-mini", "amkr-own"], await ModelsAsync(amkr.Server, visitorKey));
        Assert.Empty((await amkr.ImportAsync()).GetProperty("changes").EnumerateArray());
    }

    private static async Task<IEnumerable<string>> ModelsAsync(KeywayServer server, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await server.Http.SendAsync(request);
        var models = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        return models.EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order().ToList();
    }
}
