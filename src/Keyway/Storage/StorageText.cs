using System.Globalization;

namespace Keyway.Storage;

/// <summary>How values are written to and read from columns: ISO-8601 UTC text ("O") for times, 0/1 for booleans.</summary>
internal static class StorageText
{
    public static string Timestamp(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static string? Timestamp(DateTimeOffset? value) => value is { } v ? Timestamp(v) : null;

    public static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static DateTimeOffset? ParseOptionalTimestamp(string? text) => text is null ? null : ParseTimestamp(text);

    public static long Flag(bool value) => value ? 1 : 0;
}
