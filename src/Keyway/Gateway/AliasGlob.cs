namespace Keyway.Gateway;

/// <summary>An allowed_aliases pattern: <c>*</c> matches any run of characters, <c>?</c> one; everything else itself (ordinal).</summary>
public static class AliasGlob
{
    public static bool Matches(string pattern, string alias) => Matches(pattern.AsSpan(), alias.AsSpan());

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy match with one backtrack point at the last star: linear for patterns without stars, O(n·m) at worst.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
