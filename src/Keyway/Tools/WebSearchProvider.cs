using System.Text.Json;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Tools;

/// <summary>A group's usable Tavily tool provider: its key opened once when the routing table is built.</summary>
public sealed record WebSearchProvider(string ToolId, string ApiKey, Uri BaseUrl)
{
    public const string Kind = "tavily";
    public static readonly Uri DefaultBaseUrl = new("https://api.tavily.com/");

    /// <summary>
    /// The provider when it is a Tavily one with a key; a malformed or missing <c>config.base_url</c> falls back to
    /// Tavily's own address. Enabled-ness is the caller's to check (the admin test runs disabled providers too).
    /// </summary>
    public static WebSearchProvider? From(ToolProviderRecord tool, SecretBox secrets)
    {
        if (!string.Equals(tool.Kind, Kind, StringComparison.OrdinalIgnoreCase) || tool.SealedApiKey.Length == 0)
        {
            return null;
        }
        var key = secrets.Open(tool.SealedApiKey);
        return key.Length == 0 ? null : new WebSearchProvider(tool.ToolId, key, BaseUrlOf(tool.ConfigJson));
    }

    private static Uri BaseUrlOf(string configJson)
    {
        try
        {
            using var config = JsonDocument.Parse(configJson);
            if (config.RootElement.ValueKind == JsonValueKind.Object
                && config.RootElement.TryGetProperty("base_url", out var value)
                && value.ValueKind == JsonValueKind.String
                && Uri.TryCreate(value.GetString()!.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
                && uri.Scheme is "http" or "https")
            {
                return uri;
            }
        }
        catch (JsonException)
        {
            return DefaultBaseUrl;
        }
        return DefaultBaseUrl;
    }
}
