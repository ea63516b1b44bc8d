namespace Keyway.Protocols;

/// <summary>
/// What <see cref="RequestBody.Parse"/> learned about a request body, with the byte offsets
/// <see cref="RequestBody.Rewrite"/> splices at.
/// </summary>
public sealed class RequestBodyParse
{
    internal static RequestBodyParse Failed(RequestBodyStatus status) => new() { Status = status };

    public RequestBodyStatus Status { get; internal init; }

    /// <summary>
    /// The top-level <c>model</c> when it is a string; null when it is absent, not a string, or given twice
    /// (parsers disagree on which duplicate wins, so the alias would be ambiguous).
    /// </summary>
    public string? Model { get; internal init; }

    /// <summary>
    /// The top-level <c>model</c> is given once but is neither a string nor null (so <see cref="Model"/> is null).
    /// Asked only of a body already refused, it looks at the value's first byte in <paramref name="body"/> (the bytes
    /// parsed), so a well-formed request pays nothing for it.
    /// </summary>
    public bool ModelIsNotAString(ReadOnlySpan<byte> body) =>
        Model is null && !ModelRepeated && ModelValue is { } value && body[value.Start] is not ((byte)'"' or (byte)'n');

    /// <summary>The top-level <c>model</c> is given more than once (so <see cref="Model"/> is null).</summary>
    public bool ModelRepeated { get; internal init; }

    /// <summary>True only when the top-level <c>stream</c> is the JSON literal true.</summary>
    public bool Stream { get; internal init; }

    /// <summary>True when the top-level <c>stream_options.include_usage</c> is the JSON literal true.</summary>
    public bool HasIncludeUsage { get; internal init; }

    /// <summary>True only when the top-level <c>store</c> is the JSON literal false (a Responses request the server must not keep).</summary>
    public bool StoreOff { get; internal init; }

    /// <summary>The top-level <c>previous_response_id</c> when it is a non-empty string (a Responses request continuing a stored one).</summary>
    public string? PreviousResponseId { get; internal init; }

    /// <summary>Offset of the root object's opening brace.</summary>
    internal int RootStart { get; init; }

    /// <summary>Offset just after the root's last member value (RootStart + 1 when it has none).</summary>
    internal int RootMembersEnd { get; init; }

    internal bool RootHasMembers { get; init; }

    /// <summary>The value of the (last) top-level <c>model</c>, whatever its type.</summary>
    internal TokenSpan? ModelValue { get; init; }

    /// <summary>The value of the (last) top-level <c>stream_options</c>, whatever its type.</summary>
    internal TokenSpan? StreamOptionsValue { get; init; }

    internal bool StreamOptionsIsObject { get; init; }

    /// <summary>Offset just after the last member value inside <c>stream_options</c> (its start + 1 when empty).</summary>
    internal int StreamOptionsMembersEnd { get; init; }

    internal bool StreamOptionsHasMembers { get; init; }

    /// <summary>The value of <c>stream_options.include_usage</c>, whatever its type.</summary>
    internal TokenSpan? IncludeUsageValue { get; init; }
}
