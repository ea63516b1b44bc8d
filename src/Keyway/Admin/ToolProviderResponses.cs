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
    DateTimeOffset UpdatedAt,
    long SearchCount,
    long SearchFailures,
    DateTimeOffset? LastSearchAt);

public sealed record ToolProviderEnvelope(ToolProviderResponse ToolProvider) : OkEnvelope;

public sealed record ToolProviderListEnvelope(IReadOnlyList<ToolProviderResponse> ToolProviders) : OkEnvelope;

/// <summary>One test search: Tavily's status (0 when it never answered), how long it took, and what happened.</summary>
public sealed record ToolProviderTestResult(bool Ok, int Status, long LatencyMs, string Message);

public sealed record ToolProviderTestEnvelope(ToolProviderTestResult Test) : OkEnvelope;

internal static class ToolProviderResponseMapping
{
    public static ToolProviderResponse AsResponse(this ToolProviderRecord tool) => new(
        tool.ToolId, tool.GroupId, tool.Name, tool.Kind, tool.ConfigJson, tool.Enabled, tool.SealedApiKey.Length > 0,
        tool.CreatedAt, tool.UpdatedAt, tool.SearchCount, tool.SearchFailures, tool.LastSearchAt);
}
