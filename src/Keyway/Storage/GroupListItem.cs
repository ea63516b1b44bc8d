namespace Keyway.Storage;

/// <summary>A group with how many providers, routes, issued keys and tool providers it holds.</summary>
public sealed record GroupListItem(GroupRecord Group, int ProviderCount, int RouteCount, int KeyCount, int ToolCount);
