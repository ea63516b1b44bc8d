using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Security;

/// <summary>
/// An upstream that echoes the credentials it was sent in a 200 (a debugging echo service, a misbehaving proxy that
/// reflects Authorization in its body and in a header): the answer reaches the client with the upstream key and the
/// provider's credential header masked, in the body whether passed through or translated, and in every relayed header,
/// streamed or not. Error bodies and stream events were masked before; 200 bodies and relayed headers were not.
/// </summary>
public sealed class EchoedSecretsInAnswersTests
{
    private const string VendorToken = "vendorsecret-7e1f3a9c5b";
    private const string EchoHeader = "X-Echo-Auth";

    private static readonly string Echo = $"Bearer {AdminApi.DefaultUpstreamKey} with {VendorToken}";

    [Theory]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/chat/completions", true)]
    [InlineData("v1/messages", false)]
    [InlineData("v1/embeddings", false)]
    public async Task AnUpstreamEchoingItsCredentialsInA200_ReachesTheClientMasked_InBodyAndHeaders(string path, bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}",
            new JsonObject { ["extra_headers"] = new JsonObject { ["X-Vendor-Token"] = VendorToken } });
        var headers = new Dictionary<string, string> { [EchoHeader] = Echo };
        bed.Upstream.Enqueue(stream
            ? FakeReply.Status(200, $"data: {Chat(Echo, chunk: true)}\n\ndata: [DONE]\n\n", headers, "text/event-stream")
            : FakeReply.Status(200, Chat(Echo, chunk: false), headers));

        using var response = await bed.PostAsync(path, RequestFor(path, stream), ("anthropic-version", "2023-06-01"));
        var body = await response.Content.ReadAsStringAsync();
        var relayed = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(header => $"{header.Key}: {string.Join(", ", header.Value)}"));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        // The body's text went through (masked, its "…" maybe escaped by a translator); a header value stays ASCII.
        Assert.Contains("Bearer sk-", body);
        Assert.Contains(" with ven", body);
        if (path != "v1/messages")
        {
            // A translated answer carries none of the upstream's headers; a passed-through one carries them all.
            Assert.Equal("Bearer sk-...cdef with ven...9c5b", response.Headers.GetValues(EchoHeader).Single());
        }
        foreach (var secret in new[] { AdminApi.DefaultUpstreamKey, VendorToken })
        {
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(secret, relayed);
        }
    }

    private static string RequestFor(string path, bool stream) => path switch
    {
        "v1/messages" => $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}""",
        "v1/embeddings" => $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"Hi"}""",
        _ => $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hi"}]}""",
    };

    /// <summary>A Chat completion (or, as <paramref name="chunk"/>, its one streamed chunk) answering <paramref name="text"/>.</summary>
    private static string Chat(string text, bool chunk) => new JsonObject
    {
        ["id"] = "chatcmpl-echo",
        ["object"] = chunk ? "chat.completion.chunk" : "chat.completion",
        ["created"] = 1,
        ["model"] = GatewayTestBed.OpenAIModel,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            [chunk ? "delta" : "message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 3, ["completion_tokens"] = 5, ["total_tokens"] = 8 },
    }.ToJsonString();
}
