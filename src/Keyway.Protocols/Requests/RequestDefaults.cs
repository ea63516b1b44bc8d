namespace Keyway.Protocols;

/// <summary>
/// A route's defaults for the request parameters a client left out. <paramref name="ReasoningEffort"/> is low, medium
/// or high; <paramref name="MaxTokensCap"/> clamps the client's output-token limit; <paramref name="Temperature"/> is
/// sent as given. Null fields do nothing.
/// </summary>
public sealed record RequestDefaults(string? ReasoningEffort, int? MaxTokensCap, double? Temperature)
{
    /// <summary>The efforts a route may default to, mapped per protocol by <see cref="RequestDefaultsSplicer"/>.</summary>
    public static IReadOnlyList<string> Efforts { get; } = ["low", "medium", "high"];

    public bool IsEmpty => ReasoningEffort is null && MaxTokensCap is null && Temperature is null;
}
