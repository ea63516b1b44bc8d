namespace Keyway.Tests.Infrastructure;

/// <summary>Splits reply text and tool arguments into the fragments a stream carries.</summary>
internal static class FakeText
{
    public const int TextChunks = 5;
    public const int ArgumentChunks = 3;

    /// <summary>Cuts <paramref name="text"/> into at most <paramref name="count"/> non-empty pieces, never inside a surrogate pair.</summary>
    public static IReadOnlyList<string> Split(string text, int count)
    {
        var pieces = new List<string>(count);
        var size = Math.Max(1, (text.Length + count - 1) / count);
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + size);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            {
                end++;
            }
            pieces.Add(text[start..end]);
            start = end;
        }
        return pieces;
    }
}
