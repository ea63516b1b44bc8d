namespace Keyway.Telemetry.Metrics;

/// <summary>
/// The tags of one series (up to three, in the order the instrument is recorded with), as a value type: looking a
/// series up by it allocates nothing. Tag names are compared too, so two call sites with different tags never merge.
/// </summary>
internal readonly record struct SeriesKey(string? Name0, string? Value0, string? Name1, string? Value1, string? Name2, string? Value2)
{
    public const int MaxTags = 3;

    public static SeriesKey From(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length switch
    {
        0 => default,
        1 => new(tags[0].Key, Text(tags[0].Value), null, null, null, null),
        2 => new(tags[0].Key, Text(tags[0].Value), tags[1].Key, Text(tags[1].Value), null, null),
        _ => new(tags[0].Key, Text(tags[0].Value), tags[1].Key, Text(tags[1].Value), tags[2].Key, Text(tags[2].Value)),
    };

    /// <summary>
    /// Whether <paramref name="other"/> holds the very same strings (not only equal ones): a check of six references, where
    /// equality hashes and compares every character.
    /// </summary>
    public bool IsSameInstanceAs(in SeriesKey other) =>
        ReferenceEquals(Name0, other.Name0) && ReferenceEquals(Value0, other.Value0)
        && ReferenceEquals(Name1, other.Name1) && ReferenceEquals(Value1, other.Value1)
        && ReferenceEquals(Name2, other.Name2) && ReferenceEquals(Value2, other.Value2);

    /// <summary>The tags as name/value pairs, for the exposition.</summary>
    public IEnumerable<(string Name, string Value)> Labels()
    {
        if (Name0 is not null)
        {
            yield return (Name0, Value0 ?? "");
        }
        if (Name1 is not null)
        {
            yield return (Name1, Value1 ?? "");
        }
        if (Name2 is not null)
        {
            yield return (Name2, Value2 ?? "");
        }
    }

    private static string? Text(object? value) => value as string ?? value?.ToString();
}
