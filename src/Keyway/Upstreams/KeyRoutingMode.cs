namespace Keyway.Upstreams;

/// <summary>How a provider picks one key of its pool; stored as "round_robin" / "priority" / "only_first".</summary>
public enum KeyRoutingMode
{
    /// <summary>Among available keys, the one with the fewest requests in flight; ties go to a rotating cursor.</summary>
    RoundRobin,

    /// <summary>The first available key in order; the next only while it cools down.</summary>
    Priority,

    /// <summary>Only the first key; never another one.</summary>
    OnlyFirst,
}

public static class KeyRoutingModeNames
{
    public static KeyRoutingMode Parse(string name) => name switch
    {
        "priority" => KeyRoutingMode.Priority,
        "only_first" => KeyRoutingMode.OnlyFirst,
        _ => KeyRoutingMode.RoundRobin,
    };
}
