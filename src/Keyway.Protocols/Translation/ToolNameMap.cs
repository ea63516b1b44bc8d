namespace Keyway.Protocols.Translation;

/// <summary>
/// Tool names changed by a request translation (upstream name → client name), and which client
/// tools were freeform "custom" tools (Codex's apply_patch) sent upstream as JSON functions, so the
/// answer can turn their calls back into custom tool calls with the raw input.
/// </summary>
public sealed class ToolNameMap
{
    private readonly Dictionary<string, string> _clientNameByUpstream = new(StringComparer.Ordinal);
    private readonly HashSet<string> _customTools = new(StringComparer.Ordinal);

    public static ToolNameMap Empty => new();

    public void Add(string upstreamName, string clientName, bool isCustomTool = false)
    {
        _clientNameByUpstream[upstreamName] = clientName;
        if (isCustomTool)
        {
            _customTools.Add(clientName);
        }
    }

    /// <summary>The client's name for a tool the upstream called (the same name when it was not changed).</summary>
    public string ClientName(string upstreamName) => _clientNameByUpstream.GetValueOrDefault(upstreamName, upstreamName);

    public bool IsCustomTool(string clientName) => _customTools.Contains(clientName);
}
