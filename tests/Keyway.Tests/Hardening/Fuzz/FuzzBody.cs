using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>One generated request body: the bytes sent and how they were damaged, for the failure message.</summary>
public sealed record FuzzBody(string Mutation, byte[] Bytes)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        return $"[{Mutation}] {(text.Length > 1500 ? text[..1500] + "…" : text)}";
    }

    /// <summary>
    /// A document of <paramref name="documents"/>, mostly intact (valid JSON, possibly wrong-typed fields), sometimes
    /// damaged at the byte level: duplicate keys, invalid UTF-8, NaN/Infinity numbers, deep nesting, truncation,
    /// trailing garbage, or not an object at all.
    /// </summary>
    public static Gen<FuzzBody> Of(Gen<JsonObject> documents) =>
        Gen.Zip(documents, Gen.Zip(Gen.Choose(0, 19), Gen.Choose(0, int.MaxValue))).Select(drawn => Mutate(drawn.Item1, drawn.Item2.Item1, drawn.Item2.Item2));

    private static FuzzBody Mutate(JsonObject document, int mutation, int salt)
    {
        var json = document.ToJsonString();
        var bytes = Encoding.UTF8.GetBytes(json);
        return mutation switch
        {
            12 => new("duplicate keys", Encoding.UTF8.GetBytes(DuplicateKeys(json))),
            13 => new("invalid UTF-8", InvalidUtf8(bytes, salt)),
            14 => new("NaN and Infinity", Encoding.UTF8.GetBytes(json.Replace("\"max_tokens\":", "\"max_tokens\":NaN,\"x\":").Replace("\"temperature\":", "\"temperature\":-Infinity,\"y\":"))),
            15 => new("deep nesting", Encoding.UTF8.GetBytes(json.TrimEnd('}') + ",\"deep\":" + new string('[', 5000) + new string(']', 5000) + "}")),
            16 => new("truncated", bytes[..(salt % Math.Max(1, bytes.Length))]),
            17 => new("trailing garbage", [.. bytes, .. "}{,"u8]),
            18 => new("not an object", Encoding.UTF8.GetBytes((salt % 3) switch { 0 => "[" + json + "]", 1 => "\"text\"", _ => "" })),
            19 => new("number overflow", Encoding.UTF8.GetBytes(json.Replace("\"max_tokens\":", "\"max_tokens\":1" + new string('0', 400) + ",\"z\":"))),
            _ => new("intact", bytes),
        };
    }

    // A later duplicate wins in System.Text.Json's DOM, an earlier one in some readers: both orders appear.
    private static string DuplicateKeys(string json) =>
        json.Length > 1 ? "{\"model\":\"gpt-alias\",\"stream\":true," + json[1..].Replace("{}", "{\"a\":1,\"a\":2}") : json;

    private static byte[] InvalidUtf8(byte[] bytes, int salt)
    {
        // Inside a string value when there is one (the quote before position), else anywhere.
        var position = bytes.Length == 0 ? 0 : salt % bytes.Length;
        byte[][] broken = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
        return [.. bytes[..position], .. broken[salt % broken.Length], .. bytes[position..]];
    }
}
