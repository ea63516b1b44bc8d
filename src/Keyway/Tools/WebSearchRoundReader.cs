using System.Text.Json.Nodes;

namespace Keyway.Tools;

/// <summary>
/// Reads one streamed upstream round event by event, in the upstream's protocol: whether it has started showing the
/// client something (text, or a call of one of the client's tools), and the whole answer it adds up to, in the shape
/// of a non-streamed answer, so the dialect can read its calls and append it to the conversation.
/// </summary>
internal abstract class WebSearchRoundReader
{
    /// <summary>Takes in one event's parsed data; true once the round shows text or calls a client tool.</summary>
    public abstract bool Observe(JsonObject data, ReadOnlySpan<byte> eventName);

    /// <summary>The round so far as a non-streamed answer.</summary>
    public abstract JsonObject Answer();

    /// <summary>The usage object an event carries, if any.</summary>
    public abstract JsonObject? UsageOf(JsonObject data);

    protected static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
