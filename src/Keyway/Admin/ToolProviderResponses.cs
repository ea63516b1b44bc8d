using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>A tool provider: whether it has an API key, never the key. <c>config</c> is JSON text, as in the Python Keyway.</summary>
public sealed record ToolProviderResponse(
    string ToolId,
    string GroupId,
    string Name,
    string Kind,
    string Config,
    bool Enabled,
    bool ApiKeySet,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ToolProviderEnvelope(ToolProviderResponse ToolProvider) : OkEnvelope;

public sealed record ToolProviderListEnvelope(IReadOnlyList<ToolProviderResponse> ToolProviders) : OkEnvelope;

internal static class ToolProviderResponseMapping
{
    public static ToolProviderResponse AsResponse(this ToolProviderRecord tool) => new(
        tool.ToolId, tool.GroupId, tool.Name, tool.Kind, tool.ConfigJson, tool.Enabled, tool.SealedApiKey.Length > 0,
        tool.CreatedAt, tool.UpdatedAt);
}
