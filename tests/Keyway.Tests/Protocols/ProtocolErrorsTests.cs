using System.Text;
using System.Text.Json;
using Keyway.Protocols;

namespace Keyway.Tests.Protocols;

public sealed class ProtocolErrorsTests
{
    [Fact]
    public void OpenAIError_HasTheOpenAIShape()
    {
        var body = ProtocolErrors.OpenAIError("model 'x' not found in group 'g' — «é»", "not_found_error", "model_not_found");

        Assert.Equal(
            "{\"error\":{\"message\":\"model 'x' not found in group 'g' — «é»\",\"type\":\"not_found_error\",\"param\":null,\"code\":\"model_not_found\"}}",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void OpenAIError_WithoutCode_WritesNull()
    {
        using var document = JsonDocument.Parse(ProtocolErrors.OpenAIError("Invalid JSON body", "invalid_request_error", null));

        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("error").GetProperty("code").ValueKind);
    }

    [Fact]
    public void AnthropicError_HasTheAnthropicShape()
    {
        var body = ProtocolErrors.AnthropicError("invalid_request_error", "Body must be a JSON object \"{}\"");

        Assert.Equal(
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Body must be a JSON object \\\"{}\\\"\"}}",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void StreamErrors_AreOneSseEventEach_WithTheJsonBodyOnOneDataLine()
    {
        var openAI = Encoding.UTF8.GetString(ProtocolErrors.OpenAIStreamError("line one\nline two", "server_error", null));
        var anthropic = Encoding.UTF8.GetString(ProtocolErrors.AnthropicStreamError("overloaded_error", "Overloaded"));

        Assert.Equal("data: {\"error\":{\"message\":\"line one\\nline two\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n", openAI);
        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", anthropic);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(402, "billing_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(409, "invalid_request_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(504, "timeout_error")]
    [InlineData(529, "overloaded_error")]
    public void AnthropicErrorType_FollowsTheErrorsReference(int status, string expected)
    {
        Assert.Equal(expected, ProtocolErrors.AnthropicErrorType(status));
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "server_error")]
    [InlineData(502, "server_error")]
    [InlineData(504, "server_error")]
    public void OpenAIErrorType_FollowsTheErrorCodesGuide(int status, string expected)
    {
        Assert.Equal(expected, ProtocolErrors.OpenAIErrorType(status));
    }

    /// <summary>
    /// An OpenAI-shaped error's code, else its type (https://platform.openai.com/docs/guides/error-codes), as the Anthropic
    /// error type that means the same (https://docs.anthropic.com/en/api/errors); an Anthropic type an OpenAI-compatible
    /// vendor already sent is kept, and what is unknown is api_error.
    /// </summary>
    [Theory]
    [InlineData("invalid_request_error", "context_length_exceeded", "invalid_request_error")]
    [InlineData("invalid_request_error", "model_not_found", "not_found_error")]
    [InlineData("invalid_request_error", null, "invalid_request_error")]
    [InlineData("invalid_request_error", "invalid_api_key", "authentication_error")]
    [InlineData("authentication_error", null, "authentication_error")]
    [InlineData("permission_error", null, "permission_error")]
    [InlineData("not_found_error", null, "not_found_error")]
    [InlineData("tokens", "rate_limit_exceeded", "rate_limit_error")]
    [InlineData("requests", null, "rate_limit_error")]
    [InlineData("rate_limit_error", null, "rate_limit_error")]
    [InlineData("insufficient_quota", "insufficient_quota", "billing_error")]
    [InlineData("server_error", "server_is_overloaded", "overloaded_error")]
    [InlineData("service_unavailable_error", "slow_down", "overloaded_error")]
    [InlineData("server_error", null, "api_error")]
    [InlineData("overloaded_error", null, "overloaded_error")]
    [InlineData("request_too_large", null, "request_too_large")]
    [InlineData("upstream_error", "1008", "api_error")]
    [InlineData(null, null, "api_error")]
    public void AnthropicErrorTypeFromOpenAI_FollowsBothReferences(string? type, string? code, string expected)
    {
        Assert.Equal(expected, ProtocolErrors.AnthropicErrorTypeFromOpenAI(type, code));
    }
}
