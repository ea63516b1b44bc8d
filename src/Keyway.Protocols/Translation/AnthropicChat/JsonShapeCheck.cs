using System.Text.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Finds what the translators' DTOs cannot hold: an array holding a JSON null (<c>"messages":[null]</c>; every array
/// they read holds objects or strings, and a null item would reach the translators as a null list element), or an
/// object naming a member twice (a JsonObject throws on first access to one, far from the parse). A tool's schema
/// (<c>input_schema</c>, <c>parameters</c>) is copied through as written (<see cref="RawJsonValue"/>), so what it holds
/// is the schema's business: a null in one of its arrays (<c>"enum":["a",null]</c>) passes, and its member names are
/// not collected (most of the names in Claude Code's requests are its tools' schemas').
/// It runs on every chunk of every translated stream, so a check allocates nothing: member names are unescaped into
/// a buffer kept per thread, and a set of (object, slice of that buffer) tells a repeated name from a new one.
/// </summary>
internal sealed class JsonShapeCheck
{
    private const int MaxDepth = 256;

    // Scratch grown past these by one large body is dropped afterwards, so the thread does not keep it.
    private const int KeptNameBytes = 64 * 1024;
    private const int KeptMembers = 4 * 1024;

    [ThreadStatic]
    private static JsonShapeCheck? t_check;

    private readonly HashSet<MemberName> _seen;

    // For each depth, the serial number of the object open there, or 0 when it is an array.
    private readonly int[] _containerAt = new int[MaxDepth + 1];
    private byte[] _names = new byte[1024];
    private int _namesUsed;

    private JsonShapeCheck() => _seen = new HashSet<MemberName>(new MemberNameComparer(this));

    /// <summary>What the document holds that the DTOs cannot, or null (also for malformed JSON: the deserializer reports that).</summary>
    public static string? ProblemIn(ReadOnlySpan<byte> json)
    {
        var check = t_check ??= new JsonShapeCheck();
        try
        {
            return check.Scan(json);
        }
        finally
        {
            if (check._namesUsed > KeptNameBytes || check._seen.Count > KeptMembers)
            {
                t_check = null;
            }
            check._seen.Clear();
            check._namesUsed = 0;
        }
    }

    private string? Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var objects = 0;
        // The depth of the schema member whose value is being read, or -1.
        var schemaAt = -1;
        try
        {
            while (reader.Read())
            {
                if (schemaAt >= 0 && reader.CurrentDepth <= schemaAt && reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    schemaAt = -1;
                }
                // A token's container is the one opened one level up.
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        _containerAt[reader.CurrentDepth] = ++objects;
                        break;
                    case JsonTokenType.StartArray:
                        _containerAt[reader.CurrentDepth] = 0;
                        break;
                    case JsonTokenType.PropertyName when schemaAt < 0 && !_seen.Add(Store(ref reader, _containerAt[reader.CurrentDepth - 1])):
                        return $"names the member \"{reader.GetString()}\" twice in one object";
                    case JsonTokenType.PropertyName when schemaAt < 0 && (reader.ValueTextEquals("input_schema"u8) || reader.ValueTextEquals("parameters"u8)):
                        schemaAt = reader.CurrentDepth;
                        break;
                    case JsonTokenType.Null when reader.CurrentDepth > 0 && _containerAt[reader.CurrentDepth - 1] == 0 && schemaAt < 0:
                        return "has a null where an array item belongs";
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: the deserializer reports it with its own message.
        }
        return null;
    }

    /// <summary>Appends the current property name, unescaped, to the name buffer.</summary>
    private MemberName Store(ref Utf8JsonReader reader, int owner)
    {
        // Unescaping never lengthens a name, so its escaped length is room enough.
        var room = reader.ValueSpan.Length;
        if (_names.Length - _namesUsed < room)
        {
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesUsed + room));
        }
        var length = reader.CopyString(_names.AsSpan(_namesUsed));
        var name = new MemberName(owner, _namesUsed, length);
        _namesUsed += length;
        return name;
    }

    private ReadOnlySpan<byte> Bytes(MemberName name) => _names.AsSpan(name.Start, name.Length);

    private readonly record struct MemberName(int Owner, int Start, int Length);

    private sealed class MemberNameComparer(JsonShapeCheck check) : IEqualityComparer<MemberName>
    {
        public bool Equals(MemberName x, MemberName y) => x.Owner == y.Owner && check.Bytes(x).SequenceEqual(check.Bytes(y));

        public int GetHashCode(MemberName name)
        {
            var hash = new HashCode();
            hash.Add(name.Owner);
            hash.AddBytes(check.Bytes(name));
            return hash.ToHashCode();
        }
    }
}
