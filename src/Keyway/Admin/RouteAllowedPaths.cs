using System.Text.Json;

namespace Keyway.Admin;

/// <summary>
/// A route's <c>allowed_paths</c>: request-path globs such as <c>/v1/embeddings</c> or <c>/v1/images/*</c> (<c>*</c> within
/// one segment, <c>**</c> across segments); an empty list allows every path.
/// </summary>
internal static class RouteAllowedPaths
{
    private const string Field = "allowed_paths";
    private const int MaxPatterns = 64;
    private const int MaxLength = 256;

    /// <returns>Null when the body does not set the field (null or absent).</returns>
    public static IReadOnlyList<string>? Read(RequestBody body)
    {
        if (body.Element(Field) is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxPatterns)
        {
            throw AdminProblem.BadRequest($"{Field} must be an array of at most {MaxPatterns} path globs", Field);
        }
        var patterns = value.EnumerateArray().Select(item => RequestBody.AsString(item, Field, MaxLength).Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (patterns.FirstOrDefault(pattern => !pattern.StartsWith('/') || pattern.Any(char.IsWhiteSpace) || pattern.Contains("***", StringComparison.Ordinal)) is { } bad)
        {
            throw AdminProblem.BadRequest($"{Field}: '{bad}' is not a path glob: it must start with '/' and contain no spaces (e.g. /v1/embeddings, /v1/images/*)", Field);
        }
        return patterns;
    }
}
