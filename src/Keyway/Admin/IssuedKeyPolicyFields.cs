using System.Text.Json;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// An issued key's policy fields, shared by create and PATCH: a field that is absent keeps its current value; an explicit
/// null removes a limit or budget, and null or [] in <c>allowed_aliases</c> allows every alias of the group.
/// </summary>
internal static class IssuedKeyPolicyFields
{
    private const string AliasesField = "allowed_aliases";
    private const int MaxPatterns = 256;
    private const int PatternMaxLength = 128;
    private const long TokenLimit = 1_000_000_000_000;

    public static IssuedKeyPolicy Apply(RequestBody body, IssuedKeyPolicy current) => new(
        body.Has(AliasesField) ? Aliases(body) : current.AllowedAliases,
        body.Has("rpm") ? body.OptionalInt("rpm", 1, 10_000_000) : current.Rpm,
        body.Has("tpm") ? Tokens(body, "tpm") : current.Tpm,
        body.Has("max_concurrency") ? body.OptionalInt("max_concurrency", 1, 100_000) : current.MaxConcurrency,
        body.Has("daily_token_budget") ? Tokens(body, "daily_token_budget") : current.DailyTokenBudget,
        body.Has("monthly_token_budget") ? Tokens(body, "monthly_token_budget") : current.MonthlyTokenBudget,
        body.OptionalBool("visitor") ?? current.Visitor);

    private static IReadOnlyList<string> Aliases(RequestBody body)
    {
        if (body.Element(AliasesField) is not { } value)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxPatterns)
        {
            throw AdminProblem.BadRequest($"{AliasesField} must be an array of at most {MaxPatterns} aliases or globs", AliasesField);
        }
        var patterns = value.EnumerateArray()
            .Select(item => RequestBody.AsString(item, AliasesField, PatternMaxLength).Trim())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (patterns.FirstOrDefault(pattern => pattern.Length == 0 || pattern.Any(char.IsWhiteSpace)) is { } bad)
        {
            throw AdminProblem.BadRequest($"{AliasesField}: '{bad}' is not an alias or glob: it must be non-empty without spaces (e.g. gpt-4o, deepseek-*)", AliasesField);
        }
        return patterns;
    }

    private static long? Tokens(RequestBody body, string field)
    {
        if (body.Element(field) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < 1 || number > TokenLimit)
        {
            throw AdminProblem.BadRequest($"{field} must be an integer from 1 to {TokenLimit}", field);
        }
        return number;
    }
}
