namespace Keyway.Telemetry.Metrics;

/// <summary>HTTP status codes as cached strings, so a status tag never allocates or boxes an int.</summary>
internal static class StatusText
{
    private static readonly string[] Codes = Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string Of(int status) => (uint)status < (uint)Codes.Length ? Codes[status] : "other";
}
