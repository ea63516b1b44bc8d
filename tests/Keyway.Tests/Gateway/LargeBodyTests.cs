using System.Text;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Bodies of megabytes, as Claude Code and Codex send with long contexts and images: passed through byte for byte with
/// only <c>model</c> rewritten, and translated whole. The model comes last, so its rewrite lies in the body's last bytes,
/// which go upstream from a copy (<see cref="Keyway.Gateway.UpstreamBody"/>).
/// </summary>
public sealed class LargeBodyTests
{
    /// <summary>Over 5 MB of JSON string content with escapes and UTF-8, as a client writes it.</summary>
    private static readonly string Text = string.Concat(Enumerable.Repeat("""caf\u00e9 \"quoted\" 漢字 — line\n""", 200_000));

    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, "")]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, "\"max_tokens\":16,")]
    public async Task LargeBody_IsPassedThroughByteForByte(string path, string alias, string upstreamModel, string fields)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        string Body(string model) => $$"""{{{fields}}"messages":[{"role":"user","content":"{{Text}}"}],"model":"{{model}}"}""";

        using var response = await bed.PostAsync(path, Body(alias));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Body(upstreamModel), bed.Upstream.Last.Body);
    }

    [Fact]
    public async Task LargeAnthropicBody_TranslatedForAChatUpstream_ArrivesWhole()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var body = $$"""{"max_tokens":16,"messages":[{"role":"user","content":"{{Text}}"}],"model":"{{GatewayTestBed.OpenAIAlias}}"}""";

        using var response = await bed.PostAsync("v1/messages", body);

        Assert.Equal(200, (int)response.StatusCode);
        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/chat/completions", upstream.Path);
        using var client = JsonDocument.Parse(body);
        var sent = client.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.True(Encoding.UTF8.GetByteCount(sent) > 5 * 1024 * 1024);
        Assert.Equal(sent, upstream.Json.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(GatewayTestBed.OpenAIModel, upstream.Model);
    }
}
