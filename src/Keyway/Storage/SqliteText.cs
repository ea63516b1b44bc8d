namespace Keyway.Storage;

/// <summary>
/// SQLite's order of texts under its BINARY collation, NULL first: memcmp of the UTF-8 bytes, which is code-point order.
/// Ordinal comparison of .NET's UTF-16 differs from it only between a surrogate pair (U+10000 and above) and U+E000–U+FFFF,
/// which the pair sorts before; moving those code units into code-point order fixes it.
/// </summary>
internal static class SqliteText
{
    public static int Compare(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return InCodePointOrder(a[i]).CompareTo(InCodePointOrder(b[i]));
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>Surrogates (D800–DFFF) after U+E000–U+FFFF, as the code points they encode are.</summary>
    private static int InCodePointOrder(char unit) => unit switch
    {
        >= '\uE000' => unit - 0x800,
        >= '\uD800' => unit + 0x2000,
        _ => unit,
    };
}
