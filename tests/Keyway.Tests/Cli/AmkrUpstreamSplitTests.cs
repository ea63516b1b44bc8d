using System.Net;
using System.Text.Json.Nodes;
using Keyway.Cli.Import;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// import amkr: a model whose keys call different upstream models (each key's upstream_model, as AMKR's proxy_handler.py
/// sends key.upstream_model or the model id) becomes one provider per upstream model, tried through the route's fallbacks.
/// </summary>
public sealed class AmkrUpstreamSplitTests
{
    private const string LocalKey = "db_sk_amkr-split-local-0123456789";

    // The list layout of AMKR's README with keys of their own upstream_model, interleaved: AMKR's priority mode tries
    // them in list order (key_pool.py next_key), Keyway each upstream model's keys together.
    private const string MixedKeys = """
        {
          "default_base_url": "UPSTREAM",
          "local_api_key": "LOCAL_KEY",
          "models": [
            {
              "id": "gpt-mix",
              "aliases": ["mix"],
              "routing_mode": "ROUTING_MODE",
              "keys": [
                {"name": "a", "api_key": "sk-a-0123456789", "upstream_model": "gpt-4o-mini"},
                {"name": "b", "api_key": "sk-b-0123456789", "upstream_model": "Qwen/Qwen2.5-72B"},
                {"name": "c", "api_key": "sk-c-0123456789", "upstream_model": "gpt-4o-mini"},
                {"name": "d", "api_key": "sk-d-0123456789"}
              ]
            }
          ]
        }
        """;

    private static string Config(string routingMode, string upstream = "https://api.openai.com") =>
        MixedKeys.Replace("ROUTING_MODE", routingMode).Replace("UPSTREAM", upstream).Replace("LOCAL_KEY", LocalKey);

    [Fact]
    public void KeysCallingDifferentUpstreamModels_BecomeOneProviderEachTriedAsFallbacksInAmkrsOrder()
    {
        var (document, skipped) = AmkrConfigReader.Read(Config("priority"), "default");

        var group = document["groups"]![0]!;
        var providers = group["providers"]!.AsArray().Select(p => $"{p!["provider_id"]}={p["name"]}:{string.Join(",", p["api_keys"]!.AsArray().Select(k => k!["name"]))}");
        Assert.Equal(
            ["amkr-gpt-mix-gpt-4o-mini=gpt-mix (gpt-4o-mini):a,c", "amkr-gpt-mix-qwen-qwen2-5-72b=gpt-mix (Qwen/Qwen2.5-72B):b", "amkr-gpt-mix-gpt-mix=gpt-mix (gpt-mix):d"],
            providers);
        var expectedFallbacks = JsonNode.Parse("""
            [{"provider_id": "amkr-gpt-mix-qwen-qwen2-5-72b", "upstream_model": "Qwen/Qwen2.5-72B"}, {"provider_id": "amkr-gpt-mix-gpt-mix", "upstream_model": "gpt-mix"}]
            """);
        Assert.Equal(["gpt-mix", "mix"], group["routes"]!.AsArray().Select(r => r!["alias"]!.ToString()));
        Assert.All(group["routes"]!.AsArray(), route =>
        {
            Assert.Equal("amkr-gpt-mix-gpt-4o-mini/gpt-4o-mini", $"{route!["provider_id"]}/{route["upstream_model"]}");
            Assert.True(JsonNode.DeepEquals(expectedFallbacks, route["fallbacks"]), route.ToJsonString());
        });
        Assert.Contains(skipped, s => s.StartsWith(
            "model gpt-mix: its keys call 3 upstream models, so it became one provider per upstream model, amkr-gpt-mix-gpt-4o-mini (gpt-4o-mini: a, c), "
            + "amkr-gpt-mix-qwen-qwen2-5-72b (Qwen/Qwen2.5-72B: b), amkr-gpt-mix-gpt-mix (gpt-mix: d), which its routes try in that order"));
    }

    [Theory]
    [InlineData("round_robin", "; AMKR spreads requests over all 4 enabled keys, Keyway over the first provider's and moves on only when they fail")]
    [InlineData("only_first", "; the fallbacks are switched off, as AMKR (only_first) calls the first key alone")]
    [InlineData("priority", "; AMKR tries the keys in the order a, b, c, d, Keyway each upstream model's keys together")]
    public void TheReport_SaysWhereKeywaysOrderDiffersFromAmkrs(string routingMode, string difference)
    {
        var (document, skipped) = AmkrConfigReader.Read(Config(routingMode), "default");

        Assert.Contains(skipped, s => s.StartsWith("model gpt-mix: its keys call") && s.EndsWith(difference));
        var fallbacksOn = document["groups"]![0]!["routes"]![0]!["fallbacks"]!.AsArray().Select(f => f!["enabled"]?.GetValue<bool>() ?? true);
        Assert.All(fallbacksOn, on => Assert.Equal(routingMode != "only_first", on));
    }

    [Fact]
    public void PriorityKeysGroupedByUpstreamModel_AreTriedInAmkrsOrder_SoTheReportAddsNothing()
    {
        var (_, skipped) = AmkrConfigReader.Read(Config("priority").Replace("\"upstream_model\": \"Qwen/Qwen2.5-72B\"", "\"upstream_model\": \"gpt-4o-mini\""), "default");

        Assert.Contains(skipped, s => s.StartsWith("model gpt-mix: its keys call 2 upstream models") && s.EndsWith("then its fallbacks)"));
    }

    [Fact]
    public async Task TheGateway_CallsEachKeyWithItsOwnUpstreamModel_FallingBackInOrder()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var amkr = await AmkrGateway.StartAsync(Config("priority", upstream.BaseAddress.ToString()));
        await amkr.ImportAsync();
        upstream.ReplyForKey("sk-a-0123456789", FakeReply.OpenAIError(500, "down", "server_error"));
        upstream.ReplyForKey("sk-c-0123456789", FakeReply.OpenAIError(500, "down", "server_error"));

        var answer = await amkr.ChatAsync(LocalKey, "mix");

        Assert.Equal(HttpStatusCode.OK, answer);
        Assert.Equal(
            ["sk-a-0123456789:gpt-4o-mini", "sk-c-0123456789:gpt-4o-mini", "sk-b-0123456789:Qwen/Qwen2.5-72B"],
            upstream.Requests.Select(r => $"{r.UpstreamKey}:{r.Json.GetProperty("model").GetString()}"));
        Assert.Empty((await amkr.ImportAsync()).GetProperty("changes").EnumerateArray());
    }
}
