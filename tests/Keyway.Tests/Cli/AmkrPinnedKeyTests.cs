using System.Net;
using Keyway.Cli.Import;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// import amkr: a client's <c>model[key]</c>, AMKR's pin of one key of the model (proxy_support.py
/// _split_requested_model_key, key_pool.py key_by_name), keeps working as Keyway's pinned model, since the keys keep the
/// names AMKR gives them.
/// </summary>
public sealed class AmkrPinnedKeyTests
{
    private const string LocalKey = "db_sk_amkr-pinned-local-0123456789";

    // config.py names a list-layout key without a name "{model id}-{its place in the list}" and trims a name
    // (Sparrived/auto-model-key-router 09df63beba546beeb5ebc9583ec5884f2635c0d1 and LiveSirius' migrate_config_data alike).
    private const string Config = """
        {
          "default_base_url": "UPSTREAM",
          "local_api_key": "LOCAL_KEY",
          "routing_mode": "priority",
          "models": [
            {
              "id": "gpt-mix",
              "aliases": ["mix"],
              "keys": [
                {"api_key": "sk-first-0123456789"},
                "not a key",
                {"name": " spare ", "api_key": "sk-spare-0123456789", "upstream_model": "Qwen/Qwen2.5-72B"},
                {"api_key": "sk-fourth-0123456789"}
              ]
            }
          ]
        }
        """;

    [Fact]
    public void ListLayoutKeys_AreNamedAsAmkrNamesThem()
    {
        var (document, _) = AmkrConfigReader.Read(Config, "default");

        var names = document["groups"]![0]!["providers"]!.AsArray().SelectMany(p => p!["api_keys"]!.AsArray().Select(k => k!["name"]!.ToString()));
        Assert.Equal(["gpt-mix-1", "gpt-mix-4", "spare"], names);
    }

    [Theory]
    [InlineData("mix[gpt-mix-4]", "sk-fourth-0123456789:gpt-mix")]
    [InlineData("gpt-mix[spare]", "sk-spare-0123456789:Qwen/Qwen2.5-72B")]
    public async Task APinnedModel_CallsThatKeyWithItsOwnUpstreamModel(string model, string called)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var amkr = await AmkrGateway.StartAsync(Config.Replace("UPSTREAM", upstream.BaseAddress.ToString()).Replace("LOCAL_KEY", LocalKey));
        await amkr.ImportAsync();

        var answer = await amkr.ChatAsync(LocalKey, model);

        Assert.Equal(HttpStatusCode.OK, answer);
        var request = Assert.Single(upstream.Requests);
        Assert.Equal(called, $"{request.UpstreamKey}:{request.Json.GetProperty("model").GetString()}");
    }
}
