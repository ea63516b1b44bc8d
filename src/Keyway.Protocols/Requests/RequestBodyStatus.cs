namespace Keyway.Protocols;

public enum RequestBodyStatus
{
    Ok,

    /// <summary>Not well-formed JSON (including an empty body and trailing content after the value).</summary>
    InvalidJson,

    /// <summary>Well-formed JSON whose top-level value is not an object.</summary>
    NotAnObject,

    /// <summary>JSON nested deeper than <see cref="RequestBody.MaxDepth"/> levels (read up to there).</summary>
    TooDeep,
}
