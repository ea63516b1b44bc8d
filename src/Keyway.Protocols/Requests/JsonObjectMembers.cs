using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols;

/// <summary>
/// Where the members of one JSON object lie, by name (a repeated name keeps its last value, as most parsers do), and
/// where new members can be spliced in. Offsets are into the whole body, so nested objects can be scanned in place.
/// </summary>
internal sealed class JsonObjectMembers
{
    private readonly Dictionary<string, Member> _members;

    private JsonObjectMembers(Dictionary<string, Member> members, int membersEnd, bool hasMembers)
    {
        _members = members;
        MembersEnd = membersEnd;
        HasMembers = hasMembers;
    }

    /// <summary>Offset just after the last member value (just after the opening brace when there is none).</summary>
    public int MembersEnd { get; }

    public bool HasMembers { get; }

    /// <summary>The object at <paramref name="span"/> of <paramref name="body"/>, or null when that value is not an object or not JSON.</summary>
    public static JsonObjectMembers? Scan(ReadOnlySpan<byte> body, TokenSpan span)
    {
        var reader = new Utf8JsonReader(body[span.Start..span.End]);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var members = new Dictionary<string, Member>(StringComparer.Ordinal);
            var membersEnd = span.Start + (int)reader.BytesConsumed;
            while (JsonReading.NextProperty(ref reader))
            {
                var name = reader.GetString()!;
                var nameStart = span.Start + (int)reader.TokenStartIndex;
                reader.Read();
                var start = span.Start + (int)reader.TokenStartIndex;
                var kind = reader.TokenType;
                reader.Skip();
                var previousEnd = members.Count > 0 ? membersEnd : -1;
                membersEnd = span.Start + (int)reader.BytesConsumed;
                members[name] = new Member(new TokenSpan(start, membersEnd), kind, nameStart, previousEnd);
            }

            return new JsonObjectMembers(members, membersEnd, members.Count > 0);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The whole body when it is a JSON object.</summary>
    public static JsonObjectMembers? ScanRoot(ReadOnlySpan<byte> body) => Scan(body, new TokenSpan(0, body.Length));

    public bool Has(string name) => _members.ContainsKey(name);

    public Member? Get(string name) => _members.TryGetValue(name, out var member) ? member : null;

    /// <summary>The member's value when it is an integer.</summary>
    public long? Integer(ReadOnlySpan<byte> body, string name)
    {
        if (Get(name) is not { Kind: JsonTokenType.Number } member)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body[member.Value.Start..member.Value.End]);
        reader.Read();
        return reader.TryGetInt64(out var value) ? value : null;
    }

    /// <summary>The member's value when it is a string.</summary>
    public string? Text(ReadOnlySpan<byte> body, string name)
    {
        if (Get(name) is not { Kind: JsonTokenType.String } member)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body[member.Value.Start..member.Value.End]);
        reader.Read();
        return reader.GetString();
    }

    /// <summary>
    /// The bytes to cut to remove the member with its separating comma: from the end of the previous member, or, for
    /// the first member, from its name through the comma after it.
    /// </summary>
    public static TokenSpan RemovalOf(ReadOnlySpan<byte> body, Member member)
    {
        if (member.PreviousEnd >= 0)
        {
            return new TokenSpan(member.PreviousEnd, member.Value.End);
        }

        var end = member.Value.End;
        var next = end;
        while (next < body.Length && body[next] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            next++;
        }

        return new TokenSpan(member.NameStart, next < body.Length && body[next] == (byte)',' ? next + 1 : end);
    }

    /// <summary>
    /// One member: its value's bytes and its JSON type (StartObject for an object, StartArray for an array), where its
    /// name starts, and where the member before it ends (-1 for the first).
    /// </summary>
    public readonly record struct Member(TokenSpan Value, JsonTokenType Kind, int NameStart, int PreviousEnd);
}
