using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Gateway;

/// <summary>Asserts an error body in each client protocol's own shape.</summary>
internal static class GatewayErrorAssert
{
    public static async Task OpenAIAsync(HttpResponseMessage response, int status, string message)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var error = body.GetProperty("error");
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
    }

    /// <summary>The whole OpenAI error body as OpenAI writes it, <c>param</c> and <c>code</c> included even when null.</summary>
    public static async Task OpenAIExactAsync(HttpResponseMessage response, int status, string message, string type, string? param, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, text);
        var expected = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
        };
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(text)), text);
    }

    public static async Task AnthropicAsync(HttpResponseMessage response, int status, string type, string message)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(message, body.GetProperty("error").GetProperty("message").GetString());
    }
}
