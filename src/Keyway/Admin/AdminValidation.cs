using System.Text.RegularExpressions;

namespace Keyway.Admin;

/// <summary>Field rules shared by several admin resources.</summary>
internal static partial class AdminValidation
{
    public const int NameMaxLength = 128;
    public const int NoteMaxLength = 512;
    public const int SecretMaxLength = 4096;

    /// <summary>User-chosen ids (group_id, provider_id, tool_id) appear in URL paths, so they are slugs.</summary>
    public static string Slug(string field, string value) =>
        SlugPattern().IsMatch(value)
            ? value
            : throw AdminProblem.BadRequest($"{field} must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit", field);

    public static string NewId() => Guid.NewGuid().ToString("N");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SlugPattern();
}
