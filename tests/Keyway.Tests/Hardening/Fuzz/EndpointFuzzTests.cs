using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// Generated bodies (valid, wrong-typed, damaged) against every public /v1 endpoint of the real server in-process,
/// on both an OpenAI-protocol and an Anthropic-protocol route (so pass-through and translation both run), with the
/// fake upstream answering. Every answer is either a success or an error in the caller's protocol shape; no answer is
/// a 500 of Keyway's own (an upstream's relayed 5xx names the upstream), and the server logs no error at all.
/// </summary>
public sealed class EndpointFuzzTests
{
    private const int PerEndpoint = 60;
    private const ulong Seed = 20261202;

    private static readonly (string Path, bool Anthropic, Gen<JsonObject> Bodies)[] Surfaces =
    [
        ("v1/chat/completions", false, FuzzRequests.Chat),
        ("v1/messages?beta=true", true, FuzzRequests.Anthropic),
        ("v1/messages/count_tokens", true, FuzzRequests.Anthropic),
        ("v1/messages/evaluate_safeguards", true, FuzzRequests.Anthropic),
        ("v1/responses", false, FuzzRequests.Responses),
        ("v1/embeddings", false, FuzzRequests.Chat),
        ("v1/completions", false, FuzzRequests.Chat),
        ("v1/moderations", false, FuzzRequests.Chat),
        ("v1/images/generations", false, FuzzRequests.Chat),
        ("v1/rerank", false, FuzzRequests.Chat),
        ("v1/audio/speech", false, FuzzRequests.Chat),
        ("v1/generations", false, FuzzRequests.Chat),
        ("v1/vendor/anything", false, FuzzRequests.Chat),
        ("chat/completions", false, FuzzRequests.Chat),
    ];

    [Fact]
    public async Task EveryEndpoint_AnswersGeneratedBodies_InTheCallersShape_NeverWithItsOwn500()
    {
        var errors = new CapturedErrors();
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<ILoggerProvider>(errors));
        bed.Upstream.ReleaseSpeech();
        var sent = 0;
        foreach (var (path, anthropic, bodies) in Surfaces)
        {
            for (var i = 0; i < PerEndpoint; i++)
            {
                var body = FuzzBody.Of(bodies).Sample(i % 20 + 1, new Rnd(Seed + (ulong)(sent * 7919), 0x9E3779B97F4A7C15UL), 1)[0];
                await AssertAnsweredCleanlyAsync(bed, path, anthropic, body);
                sent++;
            }
        }
        foreach (var path in (string[])["v1/models", "models", "v1/unknown/thing"])
        {
            using var models = await bed.Client.GetAsync(path);
            Assert.True((int)models.StatusCode is 200 or 404, path);
        }

        Assert.True(errors.Entries.Count == 0, string.Join("\n", errors.Entries));
    }

    private static async Task AssertAnsweredCleanlyAsync(GatewayTestBed bed, string path, bool anthropic, FuzzBody body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body.Bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (anthropic)
        {
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        using var response = await bed.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var context = $"{path} → {status}: {(text.Length > 400 ? text[..400] : text)}\nbody: {body}";
        Assert.True(status is >= 200 and < 600, context);
        if (status < 400)
        {
            return;
        }
        var error = JsonDocument.Parse(text).RootElement;
        var message = anthropic
            ? (error.GetProperty("type").GetString() == "error" ? error.GetProperty("error").GetProperty("message").GetString() : null)
            : error.GetProperty("error").GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message), context);
        Assert.True(status < 500 || message!.StartsWith("upstream provider '", StringComparison.Ordinal), context);
    }
}
