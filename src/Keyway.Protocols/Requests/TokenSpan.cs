namespace Keyway.Protocols;

/// <summary>Where a JSON value lies in the request body: [Start, End) in bytes.</summary>
internal readonly record struct TokenSpan(int Start, int End);
