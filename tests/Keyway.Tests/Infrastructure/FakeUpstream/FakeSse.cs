using System.Text;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>Server-sent event framing as the OpenAI and Anthropic APIs emit it.</summary>
internal static class FakeSse
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    /// <summary><c>event: name</c> (when named) and one <c>data:</c> line, ended by a blank line.</summary>
    public static byte[] Frame(string? eventName, JsonNode data) => Frame(eventName, FakeJson.Serialize(data));

    /// <summary>OpenAI Chat's terminal sentinel.</summary>
    public static byte[] Done() => Frame(null, "[DONE]");

    private static byte[] Frame(string? eventName, string data)
    {
        var frame = eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n";
        return Encoding.UTF8.GetBytes(frame);
    }
}
