namespace Keyway.Cli.Tui;

/// <summary>One line of a menu: what it reads and what choosing it gives back.</summary>
public sealed record MenuItem<T>(string Label, T Value);
