namespace Keyway.Tools;

/// <summary>
/// One Tavily search as the model sees it: <paramref name="ResultJson"/> is the compact result or
/// <c>{"error":"web search failed: …"}</c>. <paramref name="Status"/> is Tavily's HTTP status, 0 when it never answered.
/// </summary>
public sealed record WebSearchOutcome(bool Ok, int Status, string ResultJson, string Message);
