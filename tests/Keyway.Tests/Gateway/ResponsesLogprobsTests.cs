using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Translation.ResponsesChat;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Token log probabilities a Responses client asks for (<c>include: ["message.output_text.logprobs"]</c>,
/// <c>top_logprobs</c>) reach a Chat upstream as <c>logprobs</c>/<c>top_logprobs</c>, and its
/// <c>logprobs.content</c> comes back on the <c>output_text</c> part and the text events; an Anthropic upstream, which
/// reports none, refuses them.
/// </summary>
public sealed class ResponsesLogprobsTests
{
    private const string Asking = """ "include":["message.output_text.logprobs"],"top_logprobs":2 """;

    [Fact]
    public async Task WholeAnswer_CarriesTheUpstreamsLogprobs_OnItsOutputText()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses", Request(GatewayTestBed.OpenAIAlias, stream: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(bed.Upstream.Last.Json.GetProperty("logprobs").GetBoolean());
        Assert.Equal(2, bed.Upstream.Last.Json.GetProperty("top_logprobs").GetInt32());
        var part = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]![0]!["content"]![0]!;
        AssertTokensSpell(part["text"]!.GetValue<string>(), part["logprobs"]!.AsArray());
    }

    [Fact]
    public async Task Stream_CarriesEachChunksLogprobs_OnItsDelta_AndAllOfThemOnTheDoneItem()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses", Request(GatewayTestBed.OpenAIAlias, stream: true));

        var events = ResponsesChatHarness.ParseEvents(await response.Content.ReadAsStringAsync());
        var deltas = events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, delta => AssertTokensSpell(delta["delta"]!.GetValue<string>(), delta["logprobs"]!.AsArray()));
        var done = events.Single(e => e.Name == "response.output_item.done").Data["item"]!["content"]![0]!;
        AssertTokensSpell(done["text"]!.GetValue<string>(), done["logprobs"]!.AsArray());
        Assert.Equal(deltas.Count, done["logprobs"]!.AsArray().Count);
    }

    [Fact]
    public async Task NotAsked_NoLogprobsAreRequestedOrWritten()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses", $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"hi"}""");

        Assert.False(bed.Upstream.Last.Json.TryGetProperty("logprobs", out _));
        var part = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]![0]!["content"]![0]!.AsObject();
        Assert.False(part.ContainsKey("logprobs"));
    }

    [Fact]
    public async Task AnthropicUpstream_RefusesThem()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses", Request(GatewayTestBed.AnthropicAlias, stream: false));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("logprobs and top_logprobs are not supported", await response.Content.ReadAsStringAsync());
    }

    private static string Request(string model, bool stream) =>
        $$"""{"model":"{{model}}","input":"hi","stream":{{(stream ? "true" : "false")}},{{Asking}}}""";

    /// <summary>The tokens spell the text, and each has the two alternatives asked for, with token, logprob and bytes.</summary>
    private static void AssertTokensSpell(string text, JsonArray logprobs)
    {
        Assert.Equal(text, string.Concat(logprobs.Select(token => token!["token"]!.GetValue<string>())));
        Assert.All(logprobs, token =>
        {
            Assert.NotNull(token!["logprob"]);
            Assert.NotNull(token["bytes"]);
            Assert.Equal(2, token["top_logprobs"]!.AsArray().Count);
        });
    }
}
