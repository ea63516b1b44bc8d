using System.Text;
using System.Text.Json;
using Keyway.Protocols.Anthropic;

namespace Keyway.Tests.Protocols;

public sealed class TokenEstimatorTests
{
    [Fact]
    public void Fixture_CountsSystemMessagesToolsAndOverheads()
    {
        var count = TokenEstimator.CountInputTokens(ProtocolFixtures.Json("anthropic/count_tokens_request.json"));

        var overheads = TokenEstimator.BaseOverhead + (3 * TokenEstimator.PerMessageOverhead) + TokenEstimator.PerToolOverhead;
        Assert.InRange(count, overheads + 80, overheads + 250);
    }

    [Fact]
    public void Count_GrowsWithTheText()
    {
        var small = TokenEstimator.CountInputTokens(Request("Hello there"));
        var large = TokenEstimator.CountInputTokens(Request(string.Join(' ', Enumerable.Repeat("Hello there", 100))));

        Assert.True(large > small + 150, $"{small} → {large}");
    }

    [Fact]
    public void EachPartOfTheRequest_AddsTokens()
    {
        var baseline = TokenEstimator.CountInputTokens(Request("Hi"));

        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", system: "\"Be terse and precise.\"")) > baseline);
        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", system: "[{\"type\":\"text\",\"text\":\"Be terse.\"}]")) > baseline);
        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", extraMessage: "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"ponder deeply\",\"signature\":\"s\"}]}")) > baseline + TokenEstimator.PerMessageOverhead);
        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", extraMessage: "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"lookup\",\"input\":{\"query\":\"weather in Paris\"}}]}")) > baseline + TokenEstimator.PerMessageOverhead + 5);
        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", extraMessage: "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"text\",\"text\":\"sunny and warm\"}]}]}")) > baseline + TokenEstimator.PerMessageOverhead);
        Assert.True(TokenEstimator.CountInputTokens(Request("Hi", tools: "[{\"name\":\"lookup\",\"description\":\"Looks things up\",\"input_schema\":{\"type\":\"object\"}}]")) > baseline + TokenEstimator.PerToolOverhead);
    }

    [Fact]
    public void IgnoredFields_DoNotChangeTheCount()
    {
        var plain = TokenEstimator.CountInputTokens(Request("Hi"));
        var withConfig = TokenEstimator.CountInputTokens(Encoding.UTF8.GetBytes(
            "{\"model\":\"claude-a-very-long-model-name-indeed\",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));

        Assert.Equal(plain, withConfig);
    }

    [Fact]
    public void TextEstimate_CountsTheSameTextsByLength()
    {
        // 11 and 9 bytes: 3 tokens each at 4 bytes a token, rounded up.
        Assert.Equal(3, TokenEstimator.EstimateTextTokens("\"Hello there\""u8));
        Assert.Equal(6, TokenEstimator.EstimateTextTokens("""[{"type":"text","text":"Hello there"},{"type":"text","text":"Good day!"}]"""u8));
        Assert.Equal(0, TokenEstimator.EstimateTextTokens("""[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]"""u8));
        Assert.Equal(3, TokenEstimator.ForUtf8Length(9));
        Assert.Equal(0, TokenEstimator.ForUtf8Length(0));
    }

    [Fact]
    public void TextPastTheTokenizedLimit_IsCountedByLength_TheTextBeforeItTokenized()
    {
        var within = string.Join(' ', Enumerable.Repeat("Hello there", 1000));
        var past = string.Join(' ', Enumerable.Repeat("Hello there", (TokenEstimator.TokenizedBytesLimit / 12) + 1));
        var withinTokens = TokenEstimator.CountInputTokens(Request(within)) - TokenEstimator.BaseOverhead - TokenEstimator.PerMessageOverhead;

        var count = TokenEstimator.CountInputTokens(Request(within, extraMessage: $"{{\"role\":\"user\",\"content\":\"{past}\"}}"));

        Assert.Equal(
            TokenEstimator.BaseOverhead + (2 * TokenEstimator.PerMessageOverhead) + withinTokens + TokenEstimator.ForUtf8Length(past.Length),
            count);
    }

    [Fact]
    public void CanceledCount_Stops()
    {
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();

        Assert.Throws<OperationCanceledException>(() => TokenEstimator.CountInputTokens(Request("Hello there"), canceled.Token));
    }

    [Fact]
    public void ResponsesInputAndInstructions_AreCounted()
    {
        var bare = TokenEstimator.CountInputTokens("""{"model":"m"}"""u8);

        Assert.True(TokenEstimator.CountInputTokens("""{"model":"m","instructions":"Be terse and precise."}"""u8) > bare);
        Assert.True(TokenEstimator.CountInputTokens("""{"model":"m","input":"Hello there"}"""u8) > bare);
        Assert.True(TokenEstimator.CountInputTokens("""{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"Hello there"}]}]}"""u8)
            > bare + TokenEstimator.PerMessageOverhead);
    }

    [Theory]
    [InlineData("not json at all, but words")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"cut off")]
    [InlineData("[\"an\",\"array\"]")]
    public void MalformedInput_IsCountedAsText(string body)
    {
        Assert.True(TokenEstimator.CountInputTokens(Encoding.UTF8.GetBytes(body)) > TokenEstimator.BaseOverhead);
    }

    private static byte[] Request(string userText, string? system = null, string? extraMessage = null, string? tools = null)
    {
        var builder = new StringBuilder("{\"model\":\"m\"");
        if (system is not null)
        {
            builder.Append(",\"system\":").Append(system);
        }

        if (tools is not null)
        {
            builder.Append(",\"tools\":").Append(tools);
        }

        builder.Append(",\"messages\":[{\"role\":\"user\",\"content\":").Append('"').Append(JsonEncodedText.Encode(userText)).Append("\"}");
        if (extraMessage is not null)
        {
            builder.Append(',').Append(extraMessage);
        }

        return Encoding.UTF8.GetBytes(builder.Append("]}").ToString());
    }
}
