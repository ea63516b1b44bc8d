using System.Text.Json.Serialization;

namespace Keyway.Admin;

// The envelopes of every admin answer: {"ok":true, …}. "ok" is written first, as the Python Keyway did.

public abstract record OkEnvelope
{
    [JsonPropertyOrder(-1)]
    public bool Ok => true;
}

public sealed record OkResponse : OkEnvelope;

public sealed record MessageResponse(string Message) : OkEnvelope;

public sealed record ErrorResponse(string Detail, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field);

public sealed record AdminConfigResponse(AdminConfig Config) : OkEnvelope;

public sealed record AdminConfig(string AppBaseUrl);
