namespace Keyway.Storage;

/// <summary>A route's or issued key's web-search switch.</summary>
public enum WebSearchMode
{
    /// <summary>Web search when the group has a usable Tavily tool provider (the default).</summary>
    Auto,

    /// <summary>Never: requests through this route or key are forwarded without the gateway's search tool.</summary>
    Off,
}

/// <summary>The switch's wire and column text: <c>auto</c> or <c>off</c>.</summary>
public static class WebSearchModeNames
{
    public const string Auto = "auto";
    public const string Off = "off";

    public static string Name(this WebSearchMode mode) => mode == WebSearchMode.Off ? Off : Auto;

    public static bool TryParse(string? text, out WebSearchMode mode)
    {
        mode = Parse(text);
        return text is Auto or Off;
    }

    /// <summary>A stored value; anything but <c>off</c> reads as the default.</summary>
    public static WebSearchMode Parse(string? text) => text == Off ? WebSearchMode.Off : WebSearchMode.Auto;
}
